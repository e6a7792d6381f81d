import { runPolicies } from "../../tools/policy/runner";
import { compliantStack } from "./fixtures";

describe("the compliant fixture stack", () => {
    it("has no violation, no remediation and nothing not applicable", () => {
        expect(runPolicies(compliantStack())).toEqual({ violations: [], remediations: [], notApplicable: [] });
    });
});
