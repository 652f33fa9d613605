// GET /, GET /sign-in: sign in with a workspace API key, or add another workspace to the session.
// The key field is a password field, never filled in by us: a refused key is not echoed back.
import { Brand, CsrfField } from "../components";
import { urls } from "../urls";

type SignInProps = {
  /** Why the last attempt failed, in words. */
  error?: string;
  /** Signed in already: this adds a workspace to the session. */
  adding: boolean;
};

/** The document's title, for the frame. */
export const signInTitle = (adding: boolean) =>
  adding ? "Add a workspace · Leadpush" : "Sign in · Leadpush";

export const SignInPage = ({ error, adding }: SignInProps) => (
  <main id="main" class="auth-page">
    <section class="card auth-card" aria-labelledby="sign-in-title">
      <Brand href={urls.home} />
      <header>
        <h1 id="sign-in-title">{adding ? "Add a workspace" : "Sign in to Leadpush"}</h1>
        <p>
          {adding
            ? "Enter an API key of another workspace to add it to this session. You can then switch between workspaces from the header."
            : "Enter a workspace API key to open that workspace's dashboard. Your key is checked, then forgotten: the session lives in a secure cookie."}
        </p>
      </header>
      {error ? (
        <div class="alert alert-error" role="alert" id="sign-in-error">
          {error}
        </div>
      ) : null}
      <form method="post" action={urls.signIn}>
        <CsrfField />
        <div class="field">
          <label for="api-key">Workspace API key</label>
          <input
            class="input mono"
            id="api-key"
            name="api_key"
            type="password"
            autocomplete="off"
            autocapitalize="off"
            spellcheck={false}
            required
            placeholder="lpk_…"
            aria-describedby={error ? "sign-in-error api-key-hint" : "api-key-hint"}
            aria-invalid={error ? "true" : undefined}
            autofocus
          />
          <p class="hint" id="api-key-hint">
            Keys start with <code>lpk_</code>. Your operator issues them.
          </p>
        </div>
        <button type="submit" class="button button-block">
          {adding ? "Add workspace" : "Sign in"}
        </button>
      </form>
      <p class="auth-foot">
        {adding ? (
          <>
            <a href={urls.home}>Back to the dashboard</a> ·{" "}
          </>
        ) : null}
        <a href={urls.docs}>API reference</a>
      </p>
    </section>
  </main>
);
