import { createSignal } from "solid-js";
import { signIn } from "./session";

export function SignIn() {
  const [username, setUsername] = createSignal("");
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(username().trim().toLowerCase());
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} aria-labelledby="sign-in-heading">
      <h2 id="sign-in-heading">Sign in</h2>
      <p>Local development: pick any user name; the dev issuer signs a session token for it.</p>
      <label>
        User name{" "}
        <input
          name="username"
          required
          pattern="[a-z0-9][a-z0-9_\-]{0,31}"
          autocomplete="username"
          value={username()}
          onInput={(e) => setUsername(e.currentTarget.value)}
        />
      </label>{" "}
      <button type="submit" disabled={busy()}>
        {busy() ? "Signing in…" : "Sign in"}
      </button>
      {error() && <p role="alert">{error()}</p>}
    </form>
  );
}
