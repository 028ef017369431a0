import type { Json } from "./store";

const html = (value: unknown) =>
  String(value ?? "").replace(
    /[&<>"']/g,
    (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char] ?? char,
  );

const money = (cents: number) => `$${(cents / 100).toFixed(2)}`;
const day = (seconds: unknown) =>
  typeof seconds === "number" ? new Date(seconds * 1000).toISOString().slice(0, 10) : "—";

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html(title)} · dev/stripe</title>
<style>
body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1a1f36}
.card{border:1px solid #e3e8ee;border-radius:8px;padding:1.5rem;margin:1rem 0}
button{background:#635bff;color:#fff;border:0;border-radius:6px;padding:.6rem 1.2rem;font-size:1rem;cursor:pointer}
button.secondary{background:#fff;color:#635bff;border:1px solid #635bff}
form{display:inline-block;margin:.25rem .5rem .25rem 0}
.note{color:#697386;font-size:.85rem}
a{color:#635bff}
</style></head><body>
<p class="note">dev/stripe: a local stand-in for Stripe. No card is charged and nothing leaves this machine.</p>
${body}
</body></html>`;
}

export function checkoutPage(session: Json, priceId: string, amount: number, message?: string): string {
  const id = html(session.id);
  const open = session.status === "open";
  return page(
    "Checkout",
    `<h1>Subscribe</h1>
<div class="card">
  <p><strong>${html(priceId)}</strong></p>
  <p>${money(amount)} / month</p>
  ${message ? `<p role="alert">${html(message)}</p>` : ""}
  ${
    open
      ? `<form method="post" action="/checkout/${id}/complete"><button type="submit">Pay and subscribe</button></form>
  ${session.cancel_url ? `<a href="${html(session.cancel_url)}">Cancel</a>` : ""}`
      : `<p>This checkout is ${html(session.status)}.</p>`
  }
</div>`,
  );
}

export function portalPage(session: Json, subscriptions: Json[], prices: string[]): string {
  const id = html(session.id);
  const rows = subscriptions
    .map((sub) => {
      const item = (sub.items as { data: Json[] }).data[0] ?? {};
      const price = (item.price as Json | undefined)?.id;
      const action = (name: string, label: string, extra = "", secondary = true) =>
        `<form method="post" action="/portal/${id}/${name}"><input type="hidden" name="subscription" value="${html(sub.id)}">${extra}<button class="${secondary ? "secondary" : ""}" type="submit">${html(label)}</button></form>`;
      const live = sub.status !== "canceled";
      const switches = prices
        .filter((other) => other !== price)
        .map((other) =>
          action("switch", `Switch to ${other}`, `<input type="hidden" name="price" value="${html(other)}">`),
        )
        .join("");
      return `<div class="card">
  <p><strong>${html(price)}</strong> — ${html(sub.status)}${sub.cancel_at_period_end ? " (cancels at period end)" : ""}</p>
  <p class="note">${html(sub.id)} · period ${day(item.current_period_start)} → ${day(item.current_period_end)}</p>
  ${
    live
      ? [
          sub.cancel_at_period_end
            ? action("resume", "Resume")
            : action(
                "cancel",
                "Cancel at period end",
                '<input type="hidden" name="at_period_end" value="true">',
              ),
          action("cancel", "Cancel now"),
          switches,
          action("fail-payment", "Simulate a failed payment"),
          action("renew", "Start the next period"),
        ].join("")
      : ""
  }
</div>`;
    })
    .join("");
  return page(
    "Billing portal",
    `<h1>Your subscriptions</h1>
${rows || "<p>No subscriptions.</p>"}
${session.return_url ? `<p><a href="${html(session.return_url)}">Return to GrowQR</a></p>` : ""}`,
  );
}
