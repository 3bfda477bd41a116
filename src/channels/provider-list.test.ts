import { describe, expect, it } from "vitest";
import { failoverOrder, providerList } from "./provider-list";

describe("providerList", () => {
  it("reads a comma-separated variable or a settings array, first place wins", () => {
    expect(providerList("ses,postmark")).toEqual(["ses", "postmark"]);
    expect(providerList(" ses , , postmark,ses ")).toEqual(["ses", "postmark"]);
    expect(providerList(["twilio", "vonage", "twilio"])).toEqual(["twilio", "vonage"]);
    expect(providerList("ses")).toEqual(["ses"]);
    expect(providerList(undefined)).toEqual([]);
    expect(providerList("")).toEqual([]);
    expect(providerList([1, "ses"])).toEqual(["ses"]);
  });
});

describe("failoverOrder", () => {
  it("starts at the current provider and wraps round the list", () => {
    expect(failoverOrder(["a", "b", "c"], "a")).toEqual(["a", "b", "c"]);
    expect(failoverOrder(["a", "b", "c"], "c")).toEqual(["c", "a", "b"]);
    expect(failoverOrder(null, "ses")).toEqual(["ses"]);
    expect(failoverOrder([], "ses")).toEqual(["ses"]);
    expect(failoverOrder(["a", "b"], "z")).toEqual(["z", "a", "b"]);
  });
});
