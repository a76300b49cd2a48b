/** Base64url alphabet with `=` padding, as Python's `base64.urlsafe_b64encode` writes it. */
const PADDED_BASE64URL = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?$/;

/** Encodes `bytes` as urlsafe base64 with padding (the form Fernet tokens and keys use). */
export function encodeBase64Url(bytes: Buffer): string {
  const unpadded = bytes.toString('base64url');
  return unpadded + '='.repeat((4 - (unpadded.length % 4)) % 4);
}

/**
 * Decodes padded urlsafe base64 strictly, or returns `null`. Node's own decoder skips characters
 * outside the alphabet and ignores trailing data, so the input is checked against the grammar and
 * must re-encode to itself (which also refuses non-zero trailing bits).
 */
export function decodeBase64Url(text: string): Buffer | null {
  if (!PADDED_BASE64URL.test(text)) return null;
  const bytes = Buffer.from(text, 'base64url');
  return encodeBase64Url(bytes) === text ? bytes : null;
}
