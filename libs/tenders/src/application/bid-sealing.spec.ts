import { randomBytes } from 'node:crypto';
import { BrokenSealError, bidKey, bidderKey, openBid, sealBid } from './bid-sealing';

describe('bids sealed at rest', () => {
  const master = randomBytes(32);
  const bid = { priceEur: 120_000, technicalProposal: 'Early sepsis alert', supplierOrg: 'org-a' };

  it('given a sealed bid, when opened with the same key and ids, then it reads as it was', () => {
    const box = sealBid(master, 'tender-1', 'bid-1', bid);
    expect(openBid(master, 'tender-1', 'bid-1', box)).toEqual(bid);
    const stored = JSON.stringify(box);
    expect(stored).not.toContain('sepsis');
    expect(stored).not.toContain('org-a');
    expect(stored).not.toContain('120000');
  });

  it('seals the same bid differently every time (a fresh IV), and each bid with its own key', () => {
    const a = sealBid(master, 'tender-1', 'bid-1', bid);
    const b = sealBid(master, 'tender-1', 'bid-1', bid);
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(Buffer.from(a.iv, 'base64')).toHaveLength(12);
    expect(bidKey(master, 'tender-1', 'bid-1')).not.toEqual(bidKey(master, 'tender-1', 'bid-2'));
    expect(bidKey(master, 'tender-1', 'bid-1')).not.toEqual(bidKey(master, 'tender-2', 'bid-1'));
  });

  it('given a changed byte of the ciphertext or tag, when opened, then the seal is broken', () => {
    const box = sealBid(master, 'tender-1', 'bid-1', bid);
    const flipped = Buffer.from(box.ciphertext, 'base64');
    flipped[0] ^= 1;
    expect(() =>
      openBid(master, 'tender-1', 'bid-1', { ...box, ciphertext: flipped.toString('base64') }),
    ).toThrow(BrokenSealError);
    const tag = Buffer.from(box.tag, 'base64');
    tag[3] ^= 1;
    expect(() =>
      openBid(master, 'tender-1', 'bid-1', { ...box, tag: tag.toString('base64') }),
    ).toThrow(BrokenSealError);
  });

  it('given another tender, another bid or another key, when opened, then the seal is broken', () => {
    const box = sealBid(master, 'tender-1', 'bid-1', bid);
    expect(() => openBid(master, 'tender-2', 'bid-1', box)).toThrow(BrokenSealError);
    expect(() => openBid(master, 'tender-1', 'bid-2', box)).toThrow(BrokenSealError);
    expect(() => openBid(randomBytes(32), 'tender-1', 'bid-1', box)).toThrow(
      /does not open with this sealing key/,
    );
  });

  it('keys an organisation by a digest that only the key holder can tell', () => {
    expect(bidderKey(master, 'org-a')).toBe(bidderKey(master, 'org-a'));
    expect(bidderKey(master, 'org-a')).not.toBe(bidderKey(master, 'org-b'));
    expect(bidderKey(master, 'org-a')).not.toBe(bidderKey(randomBytes(32), 'org-a'));
    expect(bidderKey(master, 'org-a')).toMatch(/^[0-9a-f]{64}$/);
  });
});
