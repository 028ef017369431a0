// UTF-8 text <-> base64 with Web APIs only (Workers have no Buffer without nodejs_compat in every caller).

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function encodeBase64Utf8(text: string): string {
  const bytes = encoder.encode(text);
  let binary = "";
  // Chunked: String.fromCharCode(...bytes) on 256 KiB would overflow the argument limit.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Throws on invalid base64 or bytes that are not UTF-8. Gitea wraps base64 at 76 columns, hence the strip. */
export function decodeBase64Utf8(base64: string): string {
  const binary = atob(base64.replace(/\s+/g, ""));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return decoder.decode(bytes);
}
