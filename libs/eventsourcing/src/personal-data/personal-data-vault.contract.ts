/**
 * What every vault adapter must do, run against each real engine by its own spec file.
 */
import { randomUUID } from 'node:crypto';
import { NO_STREAM, systemActor, type EventStore } from '../store/event-store';
import { PostgresAnchorStore } from '../store/postgres/postgres-anchor-store';
import type { PostgresEventStore } from '../store/postgres/postgres-event-store';
import { anchorNow } from '../integrity/anchors';
import { verifyEventStore } from '../integrity/verifier';
import type { PersonalDataVault } from './personal-data-vault';
import { isSealedPersonalData, type SealedPersonalData } from './sealed-personal-data';

export interface VaultUnderTest {
  vault: PersonalDataVault;
  /** A second vault over the same keys, as another process would open it. */
  other: () => Promise<PersonalDataVault>;
  /** An event store on the same engine, for the integrity checks. */
  store: PostgresEventStore;
}

export function personalDataVaultContract(name: string, open: () => Promise<VaultUnderTest>): void {
  describe(`personal-data vault: ${name}`, () => {
    let subject: VaultUnderTest;
    const person = () => `user-${randomUUID()}`;

    beforeAll(async () => {
      subject = await open();
    });

    it('seals fields so that the envelope holds none of them in clear, and opens them again', async () => {
      const ana = person();
      const sealed = await subject.vault.seal(ana, {
        name: 'Ana Pérez',
        email: 'ana.perez@example.org',
      });
      expect(isSealedPersonalData(sealed)).toBe(true);
      expect(sealed.personId).toBe(ana);
      const json = JSON.stringify(sealed);
      expect(json).not.toContain('Ana');
      expect(json).not.toContain('example.org');
      await expect(subject.vault.open(sealed)).resolves.toEqual({
        personId: ana,
        erased: false,
        name: 'Ana Pérez',
        email: 'ana.perez@example.org',
      });
    });

    it('keeps one key per person: different people, different keys; a fresh nonce every time', async () => {
      const ana = person();
      const ben = person();
      const a1 = await subject.vault.seal(ana, { name: 'Ana' });
      const a2 = await subject.vault.seal(ana, { name: 'Ana' });
      const b1 = await subject.vault.seal(ben, { name: 'Ana' });
      expect(a2.keyId).toBe(a1.keyId);
      expect(b1.keyId).not.toBe(a1.keyId);
      expect(a2.iv).not.toBe(a1.iv);
      expect(a2.ciphertext).not.toBe(a1.ciphertext);
    });

    it('creates one key when the first sealings of a person race', async () => {
      const ana = person();
      const sealed = await Promise.all(
        Array.from({ length: 8 }, (_, i) => subject.vault.seal(ana, { name: `Ana ${i}` })),
      );
      expect(new Set(sealed.map((s) => s.keyId)).size).toBe(1);
      const opened = await Promise.all(sealed.map((s) => subject.vault.open(s)));
      expect(opened.map((o) => (o.erased ? null : o['name']))).toEqual(
        Array.from({ length: 8 }, (_, i) => `Ana ${i}`),
      );
    });

    it('reveals every sealed envelope at any depth and leaves the rest as it was', async () => {
      const ana = person();
      const ben = person();
      const document = {
        id: 'r-1',
        count: 2,
        when: null,
        responses: [
          { id: 'a', contact: await subject.vault.seal(ana, { name: 'Ana', email: 'a@x.eu' }) },
          { id: 'b', contact: await subject.vault.seal(ben, { name: 'Ben' }) },
          { id: 'c', contact: null },
        ],
      };
      const before = JSON.stringify(document);
      await expect(subject.vault.reveal(document)).resolves.toEqual({
        id: 'r-1',
        count: 2,
        when: null,
        responses: [
          { id: 'a', contact: { personId: ana, erased: false, name: 'Ana', email: 'a@x.eu' } },
          { id: 'b', contact: { personId: ben, erased: false, name: 'Ben' } },
          { id: 'c', contact: null },
        ],
      });
      expect(JSON.stringify(document)).toBe(before);
    });

    it('erases a person: their data opens as erased, everyone else is untouched', async () => {
      const ana = person();
      const ben = person();
      const anaSealed = await subject.vault.seal(ana, { name: 'Ana Erased', email: 'ana@x.eu' });
      const benSealed = await subject.vault.seal(ben, { name: 'Ben Kept' });
      expect(await subject.vault.holdsKeyOf(ana)).toBe(true);

      await expect(subject.vault.erase(ana)).resolves.toBe(1);

      expect(await subject.vault.holdsKeyOf(ana)).toBe(false);
      await expect(subject.vault.open(anaSealed)).resolves.toEqual({ personId: ana, erased: true });
      const revealed = await subject.vault.reveal({ anaSealed, benSealed });
      expect(JSON.stringify(revealed)).not.toContain('Ana Erased');
      expect(revealed).toEqual({
        anaSealed: { personId: ana, erased: true },
        benSealed: { personId: ben, erased: false, name: 'Ben Kept' },
      });
      // A repeated erasure finds nothing left to destroy.
      await expect(subject.vault.erase(ana)).resolves.toBe(0);
    });

    it('is seen at once by another process: nothing is cached', async () => {
      const ana = person();
      const sealed = await subject.vault.seal(ana, { name: 'Ana' });
      const other = await subject.other();
      await expect(other.open(sealed)).resolves.toMatchObject({ erased: false, name: 'Ana' });
      await other.erase(ana);
      await expect(subject.vault.open(sealed)).resolves.toEqual({ personId: ana, erased: true });
    });

    it('seals later data of an erased person with a new key, which never opens the old data', async () => {
      const ana = person();
      const old = await subject.vault.seal(ana, { name: 'Old Ana' });
      await subject.vault.erase(ana);
      const later = await subject.vault.seal(ana, { name: 'New Ana' });
      expect(later.keyId).not.toBe(old.keyId);
      await expect(subject.vault.open(later)).resolves.toMatchObject({ name: 'New Ana' });
      await expect(subject.vault.open(old)).resolves.toEqual({ personId: ana, erased: true });
    });

    it('refuses an envelope moved to another person or altered', async () => {
      const ana = person();
      const ben = person();
      const sealed = await subject.vault.seal(ana, { name: 'Ana' });
      await subject.vault.seal(ben, { name: 'Ben' });
      const moved: SealedPersonalData = { ...sealed, personId: ben };
      await expect(subject.vault.open(moved)).rejects.toThrow();
      const bytes = Buffer.from(sealed.ciphertext, 'base64url');
      bytes[0] ^= 1;
      const altered = { ...sealed, ciphertext: bytes.toString('base64url') };
      await expect(subject.vault.open(altered)).rejects.toThrow();
    });

    it('refuses fields that are not strings or would hide the disclosed form', async () => {
      await expect(
        subject.vault.seal(person(), { name: 7 } as unknown as Record<string, string>),
      ).rejects.toThrow(TypeError);
      await expect(subject.vault.seal(person(), { erased: 'no' })).rejects.toThrow(TypeError);
      await expect(subject.vault.seal('', { name: 'x' })).rejects.toThrow(TypeError);
    });

    it('leaves the hash chain and anchors intact: an erasure rewrites no event', async () => {
      const store: EventStore = subject.store;
      const ana = person();
      const streamId = `test-erasure-${randomUUID()}`;
      const contact = await subject.vault.seal(ana, { name: 'Ana Chain', email: 'c@x.eu' });
      await store.append(
        streamId,
        [
          {
            type: 'ContactRecorded',
            data: { contact },
            actor: systemActor('test'),
            correlationId: randomUUID(),
          },
        ],
        NO_STREAM,
      );
      const anchors = new PostgresAnchorStore(subject.store.client, subject.store.schema);
      await anchorNow(store, anchors);
      const before = await store.readStream(streamId);
      await subject.vault.erase(ana);
      const after = await store.readStream(streamId);
      expect(after.map((e) => e.hash)).toEqual(before.map((e) => e.hash));
      expect(after[0].data).toEqual({ contact });
      await expect(subject.vault.reveal(after[0].data)).resolves.toEqual({
        contact: { personId: ana, erased: true },
      });
      const report = await verifyEventStore(store, anchors);
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
    });
  });
}
