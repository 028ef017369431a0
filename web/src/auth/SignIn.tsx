import { createSignal, type JSX, onCleanup, onMount, Show } from "solid-js";
import type { ClerkAuthProvider, DevAuthProvider } from "./auth-provider";
import { auth } from "./session";

/** The signed-out page: Clerk's sign-in in production, the dev issuer's user-name form locally. */
export function SignIn() {
  return (
    <SignInPage>
      {auth.kind === "clerk" ? <ClerkSignIn provider={auth} /> : <DevSignIn provider={auth} />}
    </SignInPage>
  );
}

/** Shown while Clerk loads: nobody is known to be signed in or out yet. */
export function AuthLoading() {
  return (
    <main class="signin-page" id="main">
      <p class="muted" role="status">
        Loading…
      </p>
    </main>
  );
}

function SignInPage(props: { children: JSX.Element }) {
  return (
    <main class="signin-page" id="main">
      <div class="signin-card">
        <p class="brand large">GrowQR</p>
        <h1 id="sign-in-heading">Sign in</h1>
        <p class="muted">
          Your private Grow Agent: chat, delegate work to sub-agents, and keep memory in your own git
          repository.
        </p>
        {props.children}
      </div>
    </main>
  );
}

/** Clerk's own sign-in component, mounted into a node of ours once Clerk has loaded. */
function ClerkSignIn(props: { provider: ClerkAuthProvider }) {
  let node: HTMLDivElement | undefined;
  onMount(() => {
    if (!node) return;
    const unmount = props.provider.mountSignIn(node);
    onCleanup(unmount);
  });
  return (
    <>
      <Show when={props.provider.status() === "failed"}>
        <div role="alert" class="error">
          <p>{props.provider.problem()}</p>
          <button type="button" class="button" onClick={() => location.reload()}>
            Try again
          </button>
        </div>
      </Show>
      <div class="clerk-sign-in" ref={node} data-testid="clerk-sign-in" />
    </>
  );
}

/** Local development: any user name; the dev issuer signs a session token for it. */
function DevSignIn(props: { provider: DevAuthProvider }) {
  const [username, setUsername] = createSignal("");
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await props.provider.signIn(username().trim().toLowerCase());
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
  );
}
