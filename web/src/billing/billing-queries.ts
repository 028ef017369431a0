import { useQuery } from "@tanstack/solid-query";
import type { Accessor } from "solid-js";
import { api, unwrap } from "../api/client";
import type { components } from "../api/openapi.gen";

export type BillingStatus = components["schemas"]["BillingStatus"];
export type BillingPlan = components["schemas"]["BillingPlan"];
export type PaidPlan = components["schemas"]["CheckoutRequest"]["plan"];

export const billingKeys = { status: ["billing"] as const };

/** Plan, status, period and usage; polled every second while `polling` (back from Checkout, waiting for it). */
export const useBilling = (polling: Accessor<boolean>) =>
  useQuery(() => ({
    queryKey: billingKeys.status,
    queryFn: async () => unwrap(await api.GET("/billing")),
    staleTime: 0,
    refetchInterval: polling() ? 1_000 : false,
  }));

/** The Stripe Checkout page for a paid plan (the browser is sent there). */
export const checkoutUrl = async (plan: PaidPlan): Promise<string> =>
  unwrap(await api.POST("/billing/checkout", { body: { plan } })).url;

/** The Stripe customer portal for the user's own customer. */
export const portalUrl = async (): Promise<string> => unwrap(await api.POST("/billing/portal")).url;

const STATUS_LABELS: Record<string, string> = {
  none: "No subscription",
  active: "Active",
  trialing: "Trial",
  past_due: "Payment overdue",
  canceled: "Cancelled",
  unpaid: "Unpaid",
  incomplete: "Incomplete",
  incomplete_expired: "Expired",
  paused: "Paused",
};

export const statusLabel = (status: string): string => STATUS_LABELS[status] ?? status.replaceAll("_", " ");

/** Leaves the app for a Stripe page; only http(s) addresses, whatever the server answered. */
export function leaveFor(url: string): void {
  if (!/^https?:\/\//i.test(url))
    throw new Error("The billing service answered an address the app will not open.");
  window.location.assign(url);
}
