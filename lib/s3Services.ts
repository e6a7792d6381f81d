/**
 * The table of S3-compatible services (what each implements, with its sources). The one copy lives
 * in the policy pack (policies/shared/s3Services.ts), which must load on its own when published; the
 * program imports it from here.
 */
export * from "../policies/shared/s3Services";
