import { StatusPanel } from "../StatusPanel";
import { StackPanel } from "./StackPanel";

/** Route `/stack`: the user's sandbox (wake / suspend with progress) and the system's health. */
export default function StackPage() {
  return (
    <section class="placeholder-page stack-page" aria-labelledby="stack-page-heading">
      <h1 id="stack-page-heading">Sandbox &amp; status</h1>
      <div class="card">
        <StackPanel />
      </div>
      <div class="card">
        <StatusPanel />
      </div>
    </section>
  );
}
