import { auditServicesOf, ConfigError, loadConfig } from './platform-config';

describe('AUDIT_SERVICES', () => {
  it('is unset in the embedded default', () => {
    expect(auditServicesOf(loadConfig({}))).toEqual([]);
  });

  it('lists each context with its base URL', () => {
    const config = loadConfig({
      AUDIT_SERVICES: 'needs=http://needs:3000,tenders=https://tenders.example.eu/',
    });
    expect(auditServicesOf(config)).toEqual([
      { context: 'needs', url: 'http://needs:3000' },
      { context: 'tenders', url: 'https://tenders.example.eu' },
    ]);
  });

  it.each(['needs', 'needs=ftp://x', 'elsewhere=http://x', 'needs=http://a,,tenders=http://b'])(
    'refuses %s at start',
    (value) => {
      expect(() => loadConfig({ AUDIT_SERVICES: value })).toThrow(/AUDIT_SERVICES must be/);
    },
  );

  it('refuses a context named twice', () => {
    const config = loadConfig({ AUDIT_SERVICES: 'needs=http://a,needs=http://b' });
    expect(() => auditServicesOf(config)).toThrow(ConfigError);
  });
});
