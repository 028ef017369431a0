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
      setError(
        failure instanceof TypeError
          ? "The sign-in service could not be reached."
          : failure instanceof Error
            ? failure.message
            : String(failure),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="signin-page" id="main">
      <div class="signin-card">
        <p class="brand large">GrowQR</p>
        <h1 id="sign-in-heading">Sign in</h1>
        <p class="muted">
          Your private Grow Agent: chat, delegate work to sub-agents, and keep memory in your own git
          repository.
        </p>
        <form onSubmit={submit} aria-labelledby="sign-in-heading">
          <p class="small muted">
            Local development: pick any user name; the dev issuer signs a session token for it.
          </p>
          <label class="field">
            <span>User name</span>
            <input
              name="username"
              required
              pattern="[a-z0-9][a-z0-9_\-]{0,31}"
              title="Lower-case letters, digits, - and _ (up to 32)"
              autocomplete="username"
              value={username()}
              onInput={(e) => setUsername(e.currentTarget.value)}
            />
          </label>
          <button type="submit" class="button primary block" disabled={busy()}>
            {busy() ? "Signing in…" : "Sign in"}
          </button>
          {error() && (
            <p role="alert" class="error">
              {error()}
            </p>
          )}
        </form>
      </div>
    </main>
  );
}
