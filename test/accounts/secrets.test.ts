/** Passwords, tokens and session secrets, made and checked with node's own crypto. */
import { describe, expect, it } from "vitest";
import {
  API_TOKEN_PREFIX,
  DEFAULT_SCRYPT,
  decoyPasswordHash,
  hashApiToken,
  hashPassword,
  isWeakerThan,
  newApiToken,
  newSecret,
  sameSecret,
  SECRET_PATTERN,
  verifyPassword,
} from "../../src/accounts/secrets.js";

const FAST = { cost: 2 ** 10, blockSize: 8, parallelization: 1 };

describe("a password hash", () => {
  it("is scrypt with the parameters it was made with, a salt of its own, and no password", async () => {
    const stored = await hashPassword("a long passphrase", FAST);
    expect(stored).toMatchObject({ algorithm: "scrypt", cost: 1024, blockSize: 8, parallelization: 1 });
    expect(Buffer.from(stored.salt, "base64")).toHaveLength(16);
    expect(Buffer.from(stored.hash, "base64")).toHaveLength(32);
    expect(JSON.stringify(stored)).not.toContain("passphrase");
  });

  it("is made with the default parameters unless told otherwise: N=2^15, r=8, p=3", async () => {
    expect(DEFAULT_SCRYPT).toEqual({ cost: 32768, blockSize: 8, parallelization: 3 });
    expect(await hashPassword("a long passphrase")).toMatchObject(DEFAULT_SCRYPT);
  });

  it("differs for the same password, by its salt", async () => {
    const [first, second] = [await hashPassword("a long passphrase", FAST), await hashPassword("a long passphrase", FAST)];
    expect(first.hash).not.toBe(second.hash);
  });

  it("matches its password", async () => {
    expect(await verifyPassword("a long passphrase", await hashPassword("a long passphrase", FAST))).toBe(true);
  });

  it("matches no other", async () => {
    expect(await verifyPassword("a long passphrasE", await hashPassword("a long passphrase", FAST))).toBe(false);
  });

  it("matches the same passphrase typed in another Unicode form", async () => {
    const composed = "caf\u00e9 au lait, s'il vous pla\u00eet";
    expect(await verifyPassword(composed.normalize("NFD"), await hashPassword(composed, FAST))).toBe(true);
  });

  it("is checked with the parameters kept with it, whatever the current ones", async () => {
    const old = await hashPassword("a long passphrase", { cost: 2 ** 9, blockSize: 4, parallelization: 1 });
    expect(await verifyPassword("a long passphrase", old)).toBe(true);
  });
});

describe("isWeakerThan", () => {
  it("is true for a hash made with a smaller cost", async () => {
    expect(isWeakerThan(await hashPassword("a long passphrase", FAST), DEFAULT_SCRYPT)).toBe(true);
  });

  it("is false for a hash made with the current parameters", () => {
    expect(isWeakerThan(decoyPasswordHash(DEFAULT_SCRYPT), DEFAULT_SCRYPT)).toBe(false);
  });
});

describe("a decoy hash", () => {
  it("has the cost of a real one and matches nothing", async () => {
    const decoy = decoyPasswordHash(FAST);
    expect(decoy).toMatchObject({ algorithm: "scrypt", ...FAST });
    expect(await verifyPassword("", decoy)).toBe(false);
  });
});

describe("an API token", () => {
  it("is 32 random bytes after a prefix a secret scanner can spot", () => {
    const { token } = newApiToken();
    expect(token.startsWith(API_TOKEN_PREFIX)).toBe(true);
    expect(Buffer.from(token.slice(API_TOKEN_PREFIX.length), "base64url")).toHaveLength(32);
  });

  it("is kept as its SHA-256 only", () => {
    const { token, hash } = newApiToken();
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiToken(token)).toBe(hash);
  });
});

describe("a session secret", () => {
  it("is 43 base64url characters, new each time", () => {
    const [first, second] = [newSecret(), newSecret()];
    expect(first).toMatch(SECRET_PATTERN);
    expect(first).not.toBe(second);
  });

  it("compares equal only to itself, whatever the lengths", () => {
    const secret = newSecret();
    expect([sameSecret(secret, secret), sameSecret(secret, newSecret()), sameSecret(secret, secret.slice(1)), sameSecret(secret, "")]).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });
});
