/** The rules of accounts, which need no Redis and no clock: roles, usernames, passwords and the growing delay. */
import { describe, expect, it } from "vitest";
import {
  checkNewPassword,
  couldBeAPassword,
  delayAfterFailures,
  InvalidUsernameError,
  may,
  normalizeUsername,
  parseRole,
  roleAtLeast,
  ROLES,
  UnknownRoleError,
  WeakPasswordError,
} from "../../src/domain/accounts.js";

describe("roles", () => {
  it("are viewer, supervisor and admin, from the least trusted up", () => {
    expect(ROLES).toEqual(["viewer", "supervisor", "admin"]);
  });

  describe("a viewer", () => {
    it("reads", () => expect(may("viewer", "read")).toBe(true));
    it("does not edit", () => expect(may("viewer", "edit")).toBe(false));
    it("does not manage accounts", () => expect(may("viewer", "manage-accounts")).toBe(false));
  });

  describe("a supervisor", () => {
    it("reads and edits (publishes, sets the emergency message)", () => {
      expect([may("supervisor", "read"), may("supervisor", "edit")]).toEqual([true, true]);
    });
    it("does not manage accounts", () => expect(may("supervisor", "manage-accounts")).toBe(false));
  });

  describe("an admin", () => {
    it("does everything", () => {
      expect([may("admin", "read"), may("admin", "edit"), may("admin", "manage-accounts")]).toEqual([true, true, true]);
    });
  });

  describe("roleAtLeast", () => {
    it("admits the role itself and those above it", () => {
      expect([roleAtLeast("supervisor", "supervisor"), roleAtLeast("admin", "supervisor")]).toEqual([true, true]);
    });
    it("turns away those below it", () => {
      expect(roleAtLeast("viewer", "supervisor")).toBe(false);
    });
  });

  describe("parseRole", () => {
    it("reads a role however it is capitalised", () => {
      expect(parseRole(" Supervisor ")).toBe("supervisor");
    });
    it("refuses an unknown role, naming the roles and the likely one", () => {
      expect(() => parseRole("supervsior")).toThrow(UnknownRoleError);
      expect(() => parseRole("supervsior")).toThrow('unknown role "supervsior" (did you mean "supervisor"?); the roles are viewer, supervisor, admin');
    });
  });
});

describe("usernames", () => {
  it("are lower-cased and trimmed, so Alice and alice are one account", () => {
    expect(normalizeUsername("  Alice ")).toBe("alice");
  });

  it.each(["dana.s", "j_smith-2", "ab", "a".repeat(32)])("take %j", (name) => {
    expect(normalizeUsername(name)).toBe(name);
  });

  it.each([
    ["a", "one character"],
    ["a".repeat(33), "33 characters"],
    ["2dana", "a digit first"],
    ["dana smith", "a space"],
    ["dana:admin", "a colon"],
    ["", "nothing"],
  ])("refuse %j (%s), saying what a username may be", (name) => {
    expect(() => normalizeUsername(name)).toThrow(InvalidUsernameError);
    expect(() => normalizeUsername(name)).toThrow(/use 2 to 32 characters, a letter first, then letters, digits, dots, dashes or underscores/);
  });
});

describe("a new password", () => {
  it("of 12 characters is taken", () => {
    expect(() => checkNewPassword("twelve chars")).not.toThrow();
  });

  it("of 11 characters is refused, with its length and the minimum", () => {
    expect(() => checkNewPassword("eleven char")).toThrow(WeakPasswordError);
    expect(() => checkNewPassword("eleven char")).toThrow("the password is too short (11 characters): use at least 12");
  });

  it("is counted in characters as people see them, not UTF-16 units", () => {
    const sixClouds = "\u{1F327}".repeat(6); // twelve UTF-16 units
    expect(sixClouds).toHaveLength(12);
    expect(() => checkNewPassword(sixClouds)).toThrow(/\(6 characters\)/);
  });

  it("of more than 1024 characters is refused", () => {
    expect(() => checkNewPassword("x".repeat(1025))).toThrow("the password is too long (1025 characters): use at most 1024");
  });
});

describe("couldBeAPassword", () => {
  it("is false for nothing and for more than 1024 characters, which no account can have", () => {
    expect([couldBeAPassword(""), couldBeAPassword("x".repeat(1025)), couldBeAPassword("short")]).toEqual([false, false, true]);
  });
});

describe("the growing delay after failed sign-ins", () => {
  const policy = { freeFailures: 5, firstDelaySeconds: 2, maxDelaySeconds: 900 };

  it("is nothing for the free failures: a person mistyping is not kept waiting", () => {
    expect([1, 2, 3, 4, 5].map((failures) => delayAfterFailures(failures, policy))).toEqual([0, 0, 0, 0, 0]);
  });

  it("starts at the first delay and doubles with each failure after", () => {
    expect([6, 7, 8, 9].map((failures) => delayAfterFailures(failures, policy))).toEqual([2, 4, 8, 16]);
  });

  it("stops growing at the cap", () => {
    expect([14, 15, 100, 10_000].map((failures) => delayAfterFailures(failures, policy))).toEqual([512, 900, 900, 900]);
  });
});
