/** A decoded Stripe request body: strings, nested objects (`a[b]=…`) and arrays (`a[0]=…`). */
export type FormValue = string | FormObject | FormValue[];
export interface FormObject {
  [key: string]: FormValue;
}

/**
 * Decodes `application/x-www-form-urlencoded` the way Stripe does (qs-style brackets): `metadata[k]=v` is an
 * object, `line_items[0][price]=p` an array of objects, `expand[]=x` / `expand[0]=x` arrays of strings.
 */
export function decodeForm(body: string): FormObject {
  const root: FormObject = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const path = splitKey(rawKey);
    if (!path) continue;
    let node: FormObject = root;
    path.forEach((segment, index) => {
      const last = index === path.length - 1;
      const key = segment === "" ? String(Object.keys(node).length) : segment;
      if (last) {
        node[key] = value;
        return;
      }
      const next = node[key];
      if (typeof next !== "object" || next === null || Array.isArray(next)) node[key] = {};
      node = node[key] as FormObject;
    });
  }
  return toArrays(root) as FormObject;
}

/** `a[b][0]` → ["a", "b", "0"]; undefined for a malformed key. */
function splitKey(key: string): string[] | undefined {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!match?.[1]) return undefined;
  const rest = [...(match[2] ?? "").matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] ?? "");
  return [match[1], ...rest];
}

/** Objects whose keys are exactly 0..n-1 become arrays, recursively. */
function toArrays(value: FormValue): FormValue {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(toArrays);
  const keys = Object.keys(value);
  const converted: FormObject = {};
  for (const key of keys) converted[key] = toArrays(value[key] as FormValue);
  const isList = keys.length > 0 && keys.every((key, index) => key === String(index));
  return isList ? keys.map((key) => converted[key] as FormValue) : converted;
}

export const str = (value: FormValue | undefined): string | undefined =>
  typeof value === "string" ? value : undefined;

export const obj = (value: FormValue | undefined): FormObject | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;

export const list = (value: FormValue | undefined): FormValue[] | undefined =>
  Array.isArray(value) ? value : undefined;

/** A `metadata`-like map of strings (non-string values dropped). */
export function stringMap(value: FormValue | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(obj(value) ?? {})) if (typeof item === "string") out[key] = item;
  return out;
}
