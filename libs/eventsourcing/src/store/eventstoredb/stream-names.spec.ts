import { streamNames } from './stream-names';

describe('stream names on EventStoreDB', () => {
  it('without a scope, owns every user stream under its own name', () => {
    const names = streamNames();
    expect(names.stored('need-1')).toBe('need-1');
    expect(names.own('need-1')).toBe('need-1');
    expect(names.own('needs:need-1')).toBe('needs:need-1');
    expect(names.own('$pcp-anchors')).toBeNull();
    expect(names.own('$et-NeedRecorded')).toBeNull();
    expect(names.checkpoint('relay')).toBe('$pcp-checkpoints-relay');
    expect(names.anchors).toBe('$pcp-anchors');
  });

  it("with a scope, stores under the scope and owns none of another service's streams", () => {
    const needs = streamNames('needs');
    const tenders = streamNames('tenders');
    expect(needs.stored('need-1')).toBe('needs:need-1');
    expect(needs.own(needs.stored('need-1'))).toBe('need-1');
    expect(needs.own(tenders.stored('tender-1'))).toBeNull();
    expect(needs.own('need-1')).toBeNull();
    expect(needs.own('$pcp-anchors')).toBeNull();
    // A scope that begins another's name is not that one.
    expect(streamNames('need').own('needs:need-1')).toBeNull();
    expect(needs.checkpoint('relay')).not.toBe(tenders.checkpoint('relay'));
    expect(needs.anchors).not.toBe(tenders.anchors);
    expect(needs.anchors.startsWith('$')).toBe(true);
  });

  it('refuses a scope that is not an identifier', () => {
    expect(() => streamNames('needs:x')).toThrow('lower-case SQL identifier');
    expect(() => streamNames('')).toThrow('lower-case SQL identifier');
  });
});
