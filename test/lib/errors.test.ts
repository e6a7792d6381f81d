/** The error lib/ helpers refuse a value with: the field and the reason apart, `[field] reason` as its message. */
import { FieldError, refuse } from "../../lib/errors";

describe("refuse", () => {
    it("throws a FieldError with the field, the reason and the value found", () => {
        let thrown: unknown;
        try {
            refuse("vmid", "must be a VMID from 100", "x");
        } catch (err) {
            thrown = err;
        }
        expect(thrown).toBeInstanceOf(FieldError);
        const err = thrown as FieldError;
        expect([err.field, err.reason, err.message, err.name]).toEqual([
            "vmid",
            'must be a VMID from 100, got "x"',
            '[vmid] must be a VMID from 100, got "x"',
            "FieldError",
        ]);
    });

    it("names the value found even when it is undefined, and leaves it out only when none is given", () => {
        expect(() => refuse("mode", "must be an octal mode such as 0750", undefined)).toThrow(
            new FieldError("mode", "must be an octal mode such as 0750, got undefined"),
        );
        expect(() => refuse("hostKey.privateKey", "is a truncated OpenSSH private key")).toThrow(
            "[hostKey.privateKey] is a truncated OpenSSH private key",
        );
    });
});
