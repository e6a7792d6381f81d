/** The CrossGuard pack: `pulumi preview --policy-pack policies`. Rules live in rules/, levels in levels.ts. */
import { PolicyPack } from "@pulumi/policy";
import { PACK_ARGS, PACK_NAME } from "./registry";

new PolicyPack(PACK_NAME, PACK_ARGS);
