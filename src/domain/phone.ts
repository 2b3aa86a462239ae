/**
 * Phone numbers as callers key them in and as Twilio sends them. Numbers are North American
 * unless they come with a `+` and a country code.
 */

/**
 * The E.164 form of a number, or null when it cannot be one.
 *
 * @example toE164("403 555 0123") // "+14035550123"
 * @example toE164("+44 20 7946 0000") // "+442079460000"
 */
export function toE164(raw: string): string | null {
  const trimmed = raw.trim();
  const digits = trimmed.replace(/[\s().-]/g, "");
  // North America (+1) numbers have exactly ten digits after the country code.
  if (/^\+1/.test(digits)) return /^\+1[2-9]\d{2}[2-9]\d{6}$/.test(digits) ? digits : null;
  if (/^\+[2-9]\d{7,14}$/.test(digits)) return digits;
  if (/^1?[2-9]\d{2}[2-9]\d{6}$/.test(digits)) return `+1${digits.slice(-10)}`;
  return null;
}

/**
 * What Twilio puts in `From` when the caller's number is withheld: the words spelled on a keypad
 * (ANONYMOUS, RESTRICTED, BLOCKED, UNKNOWN). They look like numbers but nobody answers them.
 */
const WITHHELD_CALLER_IDS = new Set(["+266696687", "+7378742833", "+2562533", "+8656696"]);

/** The caller's own number in E.164, or null when it is withheld or not a phone number. */
export function callerNumber(from: string): string | null {
  const number = toE164(from);
  return number && !WITHHELD_CALLER_IDS.has(number) ? number : null;
}

/**
 * A number with all but its last two digits hidden, for logs: `+*********23`.
 * Anything that is not a phone number (an empty value, "anonymous") is passed through.
 */
export function maskPhone(value: string): string {
  // Counted over the whole value, so a formatted number ("(403) 555-0123") hides as much as E.164.
  let digits = 0;
  for (const char of value) if (isDigit(char)) digits++;
  if (digits < 4) return value;
  // Every call's start is logged with two numbers: one pass, no callback per digit.
  let masked = "";
  let seen = 0;
  for (const char of value) masked += isDigit(char) && ++seen <= digits - 2 ? "*" : char;
  return masked;
}

const isDigit = (char: string) => char >= "0" && char <= "9";

/**
 * A number written so that text-to-speech reads it digit by digit, in the groups people
 * say them: `4 0 3, 5 5 5, 0 1 2 3`.
 */
export function spellDigits(value: string): string {
  let digits = value.replace(/\D/g, "");
  if (value.trim().startsWith("+1") && digits.length === 11) digits = digits.slice(1);
  const groups =
    digits.length === 10 ? [digits.slice(0, 3), digits.slice(3, 6), digits.slice(6)] : (digits.match(/.{1,3}/g) ?? []);
  return groups.map((group) => group.split("").join(" ")).join(", ");
}
