/** Crypto-random ids generated at the edge (browser and Node alike), passed into the domain. */
export function randomId(prefix: string, bytes = 12): string {
  const data = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(data);
  let text = '';
  for (const byte of data) text += String.fromCharCode(byte);
  return `${prefix}_${btoa(text).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '')}`;
}
