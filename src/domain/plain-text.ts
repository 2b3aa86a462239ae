/**
 * Text people typed (a web form, a department's system, a supervisor's note) made fit to keep:
 * control characters other than tab and line breaks removed (PostgreSQL refuses NUL in text, and
 * none of them means anything to a reader), and halves of broken surrogate pairs dropped.
 */
// eslint-disable-next-line no-control-regex
const UNKEEPABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function keepableText(text: string): string {
  return text.replace(UNKEEPABLE, "");
}
