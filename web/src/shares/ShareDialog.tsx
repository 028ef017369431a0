import * as Dialog from "@kobalte/core/dialog";
import { createSignal, For, Show } from "solid-js";
import { errorMessage } from "../api/client";
import { formatDateTime as formatWhen } from "../ui/format";
import { type CreatedShare, shareUrl, useCreateShare, useRevokeShare, useShares } from "./share-queries";
import "./shares.css";

const EXPIRY_CHOICES: Array<{ label: string; seconds: number | null }> = [
  { label: "Never (until revoked)", seconds: null },
  { label: "In 1 hour", seconds: 3_600 },
  { label: "In 1 day", seconds: 86_400 },
  { label: "In 7 days", seconds: 7 * 86_400 },
];

/**
 * The thread header's "Share" button and its dialog: make a read-only link (shown once: the server keeps only its
 * hash), list the thread's links and revoke them.
 */
export function ShareButton(props: { threadId: string }) {
  const [open, setOpen] = createSignal(false);
  const [expiry, setExpiry] = createSignal(0);
  const [created, setCreated] = createSignal<CreatedShare | null>(null);
  const [copied, setCopied] = createSignal(false);
  const threadId = () => props.threadId;
  const shares = useShares(threadId, open);
  const create = useCreateShare(threadId);
  const revoke = useRevokeShare(threadId);

  const openDialog = () => {
    setCreated(null);
    setCopied(false);
    create.reset();
    revoke.reset();
    setOpen(true);
  };

  const make = async (event: SubmitEvent) => {
    event.preventDefault();
    setCopied(false);
    const share = await create.mutateAsync(EXPIRY_CHOICES[expiry()]?.seconds ?? null).catch(() => null);
    setCreated(share);
  };

  const copy = async (text: string) => {
    await navigator.clipboard?.writeText(text).catch(() => {});
    setCopied(true);
  };

  return (
    <>
      <button type="button" class="button small" data-testid="share-button" onClick={openDialog}>
        Share
      </button>
      <Dialog.Root open={open()} onOpenChange={setOpen}>
        <Dialog.Portal>
          <Dialog.Overlay class="overlay" />
          <div class="dialog-positioner">
            <Dialog.Content class="dialog share-dialog" data-testid="share-dialog">
              <Dialog.Title class="dialog-title">Share this thread</Dialog.Title>
              <Dialog.Description class="muted">
                Anyone with the link can read this conversation and watch it live, without signing in. They
                see nothing else of your account: no memory, no other thread, no tool results.
              </Dialog.Description>
              <form class="share-create" onSubmit={make}>
                <label class="field">
                  <span>Link expires</span>
                  <select
                    name="expiry"
                    value={expiry()}
                    onChange={(e) => setExpiry(Number(e.currentTarget.value))}
                  >
                    <For each={EXPIRY_CHOICES}>
                      {(choice, i) => <option value={i()}>{choice.label}</option>}
                    </For>
                  </select>
                </label>
                <button type="submit" class="button primary" disabled={create.isPending}>
                  {create.isPending ? "Creating…" : "Create link"}
                </button>
              </form>
              <Show when={create.error}>
                <p role="alert" class="error">
                  {errorMessage(create.error)}
                </p>
              </Show>
              <Show when={created()}>
                {(share) => (
                  <div class="share-new" data-testid="share-new">
                    <p class="muted small">Copy it now: it is not shown again.</p>
                    <div class="share-url-row">
                      <input
                        readOnly
                        aria-label="Share link"
                        data-testid="share-url"
                        value={shareUrl(share())}
                        onFocus={(e) => e.currentTarget.select()}
                      />
                      <button type="button" class="button small" onClick={() => void copy(shareUrl(share()))}>
                        {copied() ? "Copied" : "Copy"}
                      </button>
                    </div>
                  </div>
                )}
              </Show>
              <h2 class="share-list-title">Links</h2>
              <Show when={revoke.error}>
                <p role="alert" class="error">
                  {errorMessage(revoke.error)}
                </p>
              </Show>
              <Show
                when={(shares.data?.length ?? 0) > 0}
                fallback={<p class="muted small">{shares.isLoading ? "Loading…" : "No links yet."}</p>}
              >
                <ul class="share-list" data-testid="share-list">
                  <For each={shares.data}>
                    {(share) => (
                      <li class="share-item" data-testid="share-item" data-status={share.status}>
                        <span>
                          Made {formatWhen(share.createdAt)}
                          {share.expiresAt && share.status === "active"
                            ? `, expires ${formatWhen(share.expiresAt)}`
                            : ""}
                        </span>
                        <Show
                          when={share.status === "active"}
                          fallback={<span class={`share-status ${share.status}`}>{share.status}</span>}
                        >
                          <button
                            type="button"
                            class="button small danger"
                            disabled={revoke.isPending}
                            onClick={() => revoke.mutate(share.id)}
                          >
                            Revoke
                          </button>
                        </Show>
                      </li>
                    )}
                  </For>
                </ul>
              </Show>
              <div class="dialog-actions">
                <button type="button" class="button" onClick={() => setOpen(false)}>
                  Close
                </button>
              </div>
            </Dialog.Content>
          </div>
        </Dialog.Portal>
      </Dialog.Root>
    </>
  );
}
