// highlight.js ships types for its core but not for each language module (`lib/languages/*` maps to plain JS).
declare module "highlight.js/lib/languages/*" {
  import type { LanguageFn } from "highlight.js";

  const language: LanguageFn;
  export default language;
}
