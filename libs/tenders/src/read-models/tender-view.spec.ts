import {
  pcpAwarded,
  pcpWithBids,
  procurer,
  stateOf,
  suppliers,
} from '../domain/__fixtures__/tender-story';
import { tenderViewFor } from './tender-view';

const viewer = (org: string, ...roles: string[]) => ({ userId: `u-${org}`, org, roles });

describe('a tender as each reader sees it', () => {
  it('shows the number of sealed bids to the contracting procurers and auditors only', () => {
    const state = stateOf(pcpWithBids());
    expect(tenderViewFor(state, 5, viewer(procurer, 'procurer')).bidCount).toBe(
      state.sealedBids.length,
    );
    expect(tenderViewFor(state, 5, viewer('org-audit', 'auditor')).bidCount).toBe(
      state.sealedBids.length,
    );
    for (const other of [viewer(suppliers[0], 'supplier'), viewer('org-other', 'procurer')]) {
      expect(tenderViewFor(state, 5, other)).not.toHaveProperty('bidCount');
    }
  });

  it('a supplier of the contracting organisation is not its procurer', () => {
    const state = stateOf(pcpWithBids());
    expect(tenderViewFor(state, 5, viewer(procurer, 'supplier'))).not.toHaveProperty('bidCount');
  });

  it('names the awarded suppliers to everyone, deliverables only to the holder, procurer and auditors', () => {
    const state = stateOf(pcpAwarded());
    const holder = state.contracts[0].supplierOrg;
    const publicView = tenderViewFor(state, 9, viewer('org-other', 'supplier'));
    expect(publicView.contracts.map((c) => c.supplierOrg)).toEqual(
      state.contracts.map((c) => c.supplierOrg),
    );
    expect(publicView.contracts.every((c) => c.deliverables === undefined)).toBe(true);
    const own = tenderViewFor(state, 9, viewer(holder, 'supplier'));
    expect(own.contracts.find((c) => c.supplierOrg === holder)?.deliverables).toEqual([]);
    expect(
      own.contracts.filter((c) => c.supplierOrg !== holder).every((c) => !c.deliverables),
    ).toBe(true);
    const procurerView = tenderViewFor(state, 9, viewer(procurer, 'procurer'));
    expect(procurerView.contracts.every((c) => c.deliverables !== undefined)).toBe(true);
    expect(procurerView.contracts.every((c) => c.status === 'RUNNING')).toBe(true);
  });
});
