/** `npm run cost`: the monthly cost of GrowQR at 1k, 100k and 1M users, and what a free user costs. */
import { allowanceFactor, type PlanTerms } from "./cost-model";
import { FREE_USER_CEILING_USD, MIX, PRO_PRICE_USD, SCALES } from "./mix";
import { PRICES } from "./prices";
import { billTable, costsTable, mixTable, priceTable, usd } from "./report";
import { largestAllowanceUnder, monthlyBill, TODAY, userCost } from "./scenarios";

const [free, pro] = MIX;
if (!free || !pro) throw new Error("the mix needs a free and a pro class");
const now = { hibernation: false };
const hib = { hibernation: true };
const out: string[] = [];
const say = (s = "") => out.push(s);

say("## The mix\n");
say(mixTable(MIX));

say("\n## Monthly cost by component (today's plans)\n");
const todayBills = SCALES.map((n) => monthlyBill(n, MIX, TODAY, PRICES, now, PRO_PRICE_USD));
const hibBills = SCALES.map((n) => monthlyBill(n, MIX, TODAY, PRICES, hib, PRO_PRICE_USD));
say(billTable(SCALES, todayBills, hibBills));

const freeToday = userCost(free, TODAY.free, PRICES, now, PRO_PRICE_USD);
const freeHib = userCost(free, TODAY.free, PRICES, hib, PRO_PRICE_USD);
const proToday = userCost(pro, TODAY.pro, PRICES, now, PRO_PRICE_USD);
const retained: PlanTerms = { ...TODAY.free, stackRetention: "month" };
const derived = largestAllowanceUnder(FREE_USER_CEILING_USD, free, retained, PRICES, hib, PRO_PRICE_USD);
const recommended: PlanTerms = { ...retained, allowanceTokens: derived };
const freeRecommended = userCost(free, recommended, PRICES, hib, PRO_PRICE_USD);
const proNet =
  PRO_PRICE_USD - proToday.costs["Stripe fees"] - (proToday.total - proToday.costs["Stripe fees"]);
const affordable = (proNet * pro.share) / free.share;

say("\n## What one user costs per month (marginal: no included allowances)\n");
say(
  costsTable([
    { title: "free, today", ...freeToday },
    { title: "free, with hibernation", ...freeHib },
    { title: "free, recommended plan", ...freeRecommended },
    { title: "pro, today", ...proToday },
  ]),
);
say(
  `\nA free user today: ${usd(freeToday.total)} / month (${usd(freeHib.total)} with hibernation); ` +
    `the allowance lets through ${(allowanceFactor(free, TODAY.free) * 100).toFixed(0)}% of the mix's demand.`,
);
say(
  `A Pro user: ${usd(proToday.total)} / month against $${PRO_PRICE_USD} (margin ${usd(proNet)}); with ` +
    `${free.share * 100}% free and ${pro.share * 100}% Pro, each free user can cost at most ${usd(affordable)} ` +
    "before Pro stops paying for them.",
);

say(`\n## Free plan under a ceiling of ${usd(FREE_USER_CEILING_USD)} per free user per month\n`);
say(
  `With hibernation and free stacks destroyed after a month unused (memory stays in Postgres), the largest ` +
    `allowance under the ceiling is ${derived.toLocaleString("en-US")} tokens (today ${TODAY.free.allowanceTokens.toLocaleString("en-US")}): ` +
    `a free user then costs ${usd(freeRecommended.total)}.`,
);
const keptForever = largestAllowanceUnder(
  FREE_USER_CEILING_USD,
  free,
  { ...TODAY.free, stackRetention: "forever" },
  PRICES,
  hib,
  PRO_PRICE_USD,
);
say(
  `Keeping unused stacks forever (today), the same ceiling allows only ${keptForever.toLocaleString("en-US")} tokens.`,
);
const heaviest = userCost(
  { ...free, monthlyActiveShare: 1, activeDays: 30, stackShare: 1 },
  recommended,
  PRICES,
  hib,
  PRO_PRICE_USD,
);
const alwaysOn = PRICES.fly.opencodeRunningMonthly.value + PRICES.fly.giteaRunningMonthly.value;
say(
  `A free user who uses the whole allowance, active every day: ${usd(heaviest.total)}. Nothing caps running ` +
    `hours: a stack kept awake all month costs ${usd(alwaysOn)} in machines alone.`,
);
for (const idle of [120, 300, 900]) {
  const c = userCost(free, { ...recommended, stackIdleSeconds: idle }, PRICES, hib, PRO_PRICE_USD);
  say(`- idle suspend ${idle} s: ${usd(c.total)} (machines running ${usd(c.costs["Fly machines running"])})`);
}

say("\n## Prices\n");
say(priceTable());
console.log(out.join("\n"));
