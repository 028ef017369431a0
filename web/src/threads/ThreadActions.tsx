// Namespace imports: Kobalte's `Dialog` and `AlertDialog` objects are one object (its AlertDialog assigns its
// alertdialog Content onto Dialog's root), so `Dialog.Content` would render as an alertdialog.
import * as AlertDialog from "@kobalte/core/alert-dialog";
import * as Dialog from "@kobalte/core/dialog";
import * as DropdownMenu from "@kobalte/core/dropdown-menu";
import { useLocation, useNavigate } from "@solidjs/router";
import { createSignal } from "solid-js";
import { errorMessage } from "../api/client";
import { type Thread, threadTitle, useDeleteThread, useRenameThread } from "./thread-queries";

/** The "⋯" menu of a thread in the sidebar: rename (dialog with a text field) and delete (confirmation). */
export function ThreadActions(props: { thread: Thread }) {
  const [renaming, setRenaming] = createSignal(false);
  const [deleting, setDeleting] = createSignal(false);
  const [title, setTitle] = createSignal("");
  const rename = useRenameThread();
  const remove = useDeleteThread();
  const navigate = useNavigate();
  const location = useLocation();
  // The dialogs open from a menu item, which is gone by the time they close: Kobalte would drop focus to the body.
  // Focus goes back to the ⋯ button that opened the menu, or, once the thread is deleted, to the main area.
  let opener: HTMLButtonElement | undefined;
  const restoreFocus = (event: Event) => {
    event.preventDefault();
    const target = opener?.isConnected ? opener : document.getElementById("main");
    target?.focus();
  };

  const openRename = () => {
    rename.reset();
    setTitle(props.thread.title);
    setRenaming(true);
  };

  const saveRename = async (event: SubmitEvent) => {
    event.preventDefault();
    const done = await rename
      .mutateAsync({ id: props.thread.id, title: title().trim() })
      .then(() => true)
      .catch(() => false);
    if (done) setRenaming(false);
  };

  const confirmDelete = async () => {
    const done = await remove
      .mutateAsync(props.thread.id)
      .then(() => true)
      .catch(() => false);
    if (!done) return;
    setDeleting(false);
    if (location.pathname.startsWith(`/threads/${props.thread.id}`)) navigate("/", { replace: true });
  };

  return (
    <>
      <DropdownMenu.Root placement="bottom-end">
        <DropdownMenu.Trigger
          ref={opener}
          class="icon-button thread-menu"
          aria-label={`Actions for ${threadTitle(props.thread)}`}
        >
          <span aria-hidden="true">⋯</span>
        </DropdownMenu.Trigger>
        <DropdownMenu.Portal>
          <DropdownMenu.Content class="menu">
            <DropdownMenu.Item class="menu-item" onSelect={openRename}>
              Rename
            </DropdownMenu.Item>
            <DropdownMenu.Item
              class="menu-item danger"
              onSelect={() => {
                remove.reset();
                setDeleting(true);
              }}
            >
              Delete
            </DropdownMenu.Item>
          </DropdownMenu.Content>
        </DropdownMenu.Portal>
      </DropdownMenu.Root>

      <Dialog.Root open={renaming()} onOpenChange={setRenaming}>
        <Dialog.Portal>
          <Dialog.Overlay class="overlay" />
          <div class="dialog-positioner">
            <Dialog.Content class="dialog" onCloseAutoFocus={restoreFocus}>
              <Dialog.Title class="dialog-title">Rename thread</Dialog.Title>
              <form onSubmit={saveRename}>
                <label class="field">
                  <span>Title</span>
                  <input
                    name="title"
                    maxLength={200}
                    value={title()}
                    onInput={(e) => setTitle(e.currentTarget.value)}
                  />
                </label>
                {rename.error && (
                  <p role="alert" class="error">
                    {errorMessage(rename.error)}
                  </p>
                )}
                <div class="dialog-actions">
                  <button type="button" class="button" onClick={() => setRenaming(false)}>
                    Cancel
                  </button>
                  <button type="submit" class="button primary" disabled={rename.isPending}>
                    {rename.isPending ? "Saving…" : "Save"}
                  </button>
                </div>
              </form>
            </Dialog.Content>
          </div>
        </Dialog.Portal>
      </Dialog.Root>

      <AlertDialog.Root open={deleting()} onOpenChange={setDeleting}>
        <AlertDialog.Portal>
          <AlertDialog.Overlay class="overlay" />
          <div class="dialog-positioner">
            <AlertDialog.Content class="dialog" onCloseAutoFocus={restoreFocus}>
              <AlertDialog.Title class="dialog-title">
                Delete “{threadTitle(props.thread)}”?
              </AlertDialog.Title>
              <AlertDialog.Description class="muted">
                The thread, its messages and its events are deleted for good.
              </AlertDialog.Description>
              {remove.error && (
                <p role="alert" class="error">
                  {errorMessage(remove.error)}
                </p>
              )}
              <div class="dialog-actions">
                <button type="button" class="button" onClick={() => setDeleting(false)}>
                  Cancel
                </button>
                <button
                  type="button"
                  class="button danger"
                  disabled={remove.isPending}
                  onClick={() => void confirmDelete()}
                >
                  {remove.isPending ? "Deleting…" : "Delete"}
                </button>
              </div>
            </AlertDialog.Content>
          </div>
        </AlertDialog.Portal>
      </AlertDialog.Root>
    </>
  );
}
