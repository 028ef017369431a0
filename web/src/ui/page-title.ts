/** Names the browser tab after what is on screen ("Plan my week · GrowQR"), so tabs and history tell pages apart. */
export function setPageTitle(name?: string): void {
  const trimmed = name?.trim();
  document.title = trimmed ? `${trimmed} · GrowQR` : "GrowQR";
}
