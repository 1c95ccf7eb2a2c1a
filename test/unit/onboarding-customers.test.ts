// The visibility query behind `customers` and GET /onboardings: filters from a closed vocabulary only, so nothing
// a caller sends can change the query's shape.
import { describe, expect, it } from 'vitest';
import { ListOnboardingsQuerySchema, visibilityQuery } from '../../src/onboarding/customers.js';

describe('listing filters', () => {
  it('build the query from stage, KYC status and stall kind', () => {
    expect(visibilityQuery({})).toBe("WorkflowType = 'customerLifecycle'");
    expect(visibilityQuery({ stage: 'kyc', kycStatus: 'kyc_pending', stalled: 'credentials' })).toBe(
      "WorkflowType = 'customerLifecycle' AND VobizStage = 'kyc' AND VobizKycStatus = 'kyc_pending' AND VobizStalled = 'credentials'",
    );
  });

  it('refuse anything outside the vocabulary, naming the field', () => {
    const parsed = ListOnboardingsQuerySchema.safeParse({ stage: "kyc' OR 'a'='a", kycStatus: 'x y', stalled: 'tired', pageSize: '5000', pageToken: 'abc' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['stage', 'kycStatus', 'stalled', 'pageSize', 'pageToken']);
    expect(ListOnboardingsQuerySchema.parse({ pageSize: '20' })).toEqual({ pageSize: 20 });
  });
});
