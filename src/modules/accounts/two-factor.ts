import { generate, generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';

/**
 * Time-based one-time codes (RFC 6238: SHA-1, 6 digits, 30 seconds), as authenticator apps expect.
 * Time comes from the caller's clock so tests can fix it.
 */

const ISSUER = 'Liaison';
/** Accept the code of the previous or next 30-second step too, for clock drift and typing time. */
const TOLERANCE_SECONDS = 30;

export const newTotpSecret = (): string => generateSecret();

export async function totpCodeIsValid(secret: string, code: string, now: Date): Promise<boolean> {
  return (await totpStepOf(secret, code, now)) !== null;
}

/**
 * The 30-second step (RFC 6238's T) a code belongs to when it is valid at `now`, else null. Steps
 * up to `afterStep` are refused: a code once used is not accepted again.
 */
export async function totpStepOf(
  secret: string,
  code: string,
  now: Date,
  afterStep: number | null = null,
): Promise<number | null> {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const result = await verify({
    secret,
    token,
    epoch: Math.floor(now.getTime() / 1000),
    epochTolerance: TOLERANCE_SECONDS,
    ...(afterStep === null ? {} : { afterTimeStep: afterStep }),
  });
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}

/** The code an authenticator app shows at `now` (used by tests and the command line). */
export const totpCode = (secret: string, now: Date = new Date()): Promise<string> =>
  generate({ secret, epoch: Math.floor(now.getTime() / 1000) });

export const totpUri = (secret: string, accountName: string): string =>
  generateURI({ issuer: ISSUER, label: accountName, secret });

/** The set-up QR code as inline SVG, labelled for assistive technology. */
export async function totpQrSvg(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
  return svg.replace(
    '<svg ',
    '<svg role="img" aria-label="QR code to add Liaison to your authenticator app" width="200" height="200" focusable="false" ',
  );
}
