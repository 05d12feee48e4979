import { describe, expect, it } from 'vitest';
import { AUTHORITY_KINDS, SERVICE_AREAS, servicesRunBy } from './domain.ts';

describe('the services each kind of authority runs', () => {
  it('gives a district no adult social care, children’s services or education', () => {
    const district = servicesRunBy('district');
    expect(district).not.toContain('adult-social-care');
    expect(district).not.toContain('childrens-services');
    expect(district).not.toContain('education');
    expect(district).toEqual(expect.arrayContaining(['housing', 'planning', 'benefits-tax', 'environmental-services']));
  });

  it('gives a county care, children’s services, schools and roads but not housing or council tax', () => {
    const county = servicesRunBy('county');
    expect(county).toEqual(
      expect.arrayContaining(['adult-social-care', 'childrens-services', 'education', 'highways-transport']),
    );
    expect(county).not.toContain('housing');
    expect(county).not.toContain('benefits-tax');
  });

  it('gives single-tier councils every service', () => {
    for (const kind of ['unitary', 'metropolitan', 'london-borough'] as const) {
      expect(servicesRunBy(kind)).toEqual(SERVICE_AREAS);
    }
  });

  it('gives every kind at least its corporate services, and only known service areas', () => {
    for (const kind of AUTHORITY_KINDS) {
      const services = servicesRunBy(kind);
      expect(services).toContain('corporate-other');
      for (const area of services) expect(SERVICE_AREAS).toContain(area);
    }
  });
});
