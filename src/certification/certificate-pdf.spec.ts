import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import {
  CertificatePdfModel,
  formatDates,
  formatHours,
  renderCertificatePdf,
} from './certificate-pdf';

function aModel(overrides: Partial<CertificatePdfModel> = {}): CertificatePdfModel {
  return {
    serial: 'YH-2026-000123',
    holderName: '王秀英',
    title: '初任培训合格证书',
    titleEn: 'Certificate of Initial Training',
    levelLabel: '助理社会工作师（备考）',
    hours: 32,
    trainingKindLabel: '初任培训',
    issuerName: '示范市民政局社区工作者培训中心',
    issuedAt: new Date('2026-11-21T17:30:00Z'),
    zone: 'Asia/Shanghai',
    verifyUrl: 'https://academy.example.gov.cn/verify/7KQ2-M9XD-4TPA',
    ...overrides,
  };
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** The PDF's raw bytes as latin1 followed by every Flate stream inflated, for searching. */
function readable(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const parts = [raw];
  const streamRe = /(?<!end)stream\r?\n/g;
  let match: RegExpExecArray | null;
  while ((match = streamRe.exec(raw)) !== null) {
    const start = match.index + match[0].length;
    const end = raw.indexOf('endstream', start);
    if (end < 0) {
      break;
    }
    try {
      parts.push(inflateSync(pdf.subarray(start, end)).toString('latin1'));
    } catch {
      // Not a Flate stream (or not one that ends cleanly before endstream): nothing to add.
    }
    streamRe.lastIndex = end;
  }
  return parts.join('\n');
}

const hex = (ch: string): string => (ch.codePointAt(0) ?? 0).toString(16).padStart(4, '0');

/** An entry of the document information dictionary (pdfkit writes each as an indirect object). */
function infoEntry(text: string, key: string): string | undefined {
  const ref = new RegExp(`/${key} (\\d+) 0 R`).exec(text)?.[1];
  return ref === undefined ? undefined : new RegExp(`\\n${ref} 0 obj\\n(.*)\\n`).exec(text)?.[1];
}

describe(renderCertificatePdf.name, () => {
  let pdf: Buffer;
  let text: string;

  beforeAll(async () => {
    pdf = await renderCertificatePdf(aModel());
    text = readable(pdf);
  });

  it('produces a one-page PDF document', () => {
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.subarray(-6).toString('latin1')).toContain('%%EOF');
    expect(text).toMatch(/\/Type \/Pages\s*\/Count 1/);
  });

  it('gives byte-identical output for the same model, whatever the clock says', async () => {
    jest.useFakeTimers({
      now: new Date('2031-01-01T00:00:00Z'),
      doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'],
    });
    try {
      const later = await renderCertificatePdf(aModel());
      expect(sha256(later)).toBe(sha256(pdf));
      expect(later.equals(pdf)).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it('changes the bytes when the holder name changes', async () => {
    const other = await renderCertificatePdf(aModel({ holderName: '李建国' }));
    expect(other.equals(pdf)).toBe(false);
  });

  it('dates the document from issuedAt, not from the time of rendering', () => {
    expect(infoEntry(text, 'CreationDate')).toBe('(D:20261121173000Z)');
    expect(infoEntry(text, 'ModDate')).toBe('(D:20261121173000Z)');
    expect(text).toMatch(/\/ID \[<[0-9a-f]{32}> <[0-9a-f]{32}>\]/);
  });

  it('embeds subsets of the Noto Serif SC font', () => {
    expect(text).toContain('/FontFile2');
    expect(text).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSerifSC-Regular/);
    expect(text).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSerifSC-Bold/);
    expect(pdf.length).toBeLessThan(1024 * 1024);
  });

  it('keeps the holder name extractable through the ToUnicode map', () => {
    expect(text).toContain('/Ordering (UCS)');
    for (const ch of '王秀英') {
      expect(text).toContain(`<${hex(ch)}>`);
    }
  });

  it('links the QR code and the printed address to the verification page', () => {
    expect(text).toContain('/URI (https://academy.example.gov.cn/verify/7KQ2-M9XD-4TPA)');
  });

  it('lays out long titles, names, issuers and addresses on a single page', async () => {
    const long = await renderCertificatePdf(
      aModel({
        holderName: '阿卜杜热合曼·买买提',
        title: '社区工作者继续教育学时证明暨专业能力提升培训合格证书',
        titleEn: undefined,
        levelLabel: undefined,
        hours: 31.75,
        issuerName: '示范省示范市示范区民政局社区工作者教育培训与职业发展指导中心',
        verifyUrl: 'https://academy.example.gov.cn/verify/7KQ2-M9XD-4TPA?lang=zh-CN&ref=download',
      }),
    );
    expect(readable(long)).toMatch(/\/Type \/Pages\s*\/Count 1/);
    expect(long.length).toBeLessThan(1024 * 1024);
  });

  it('rejects a model it cannot print faithfully', async () => {
    await expect(renderCertificatePdf(aModel({ issuedAt: new Date('nope') }))).rejects.toThrow(
      'issuedAt',
    );
    await expect(renderCertificatePdf(aModel({ verifyUrl: '/verify/abc' }))).rejects.toThrow(
      'verifyUrl',
    );
    await expect(renderCertificatePdf(aModel({ hours: Number.NaN }))).rejects.toThrow('hours');
  });
});

describe(formatDates.name, () => {
  it('prints the calendar date in the given time zone', () => {
    const at = new Date('2026-11-21T17:30:00Z');
    expect(formatDates(at, 'Asia/Shanghai')).toEqual({
      zh: '2026年11月22日',
      en: '22 November 2026',
    });
    expect(formatDates(at, 'UTC').zh).toBe('2026年11月21日');
  });
});

describe(formatHours.name, () => {
  it('prints whole, half and quarter hours without trailing zeros', () => {
    expect([32, 31.5, 0.25, 1 / 3].map(formatHours)).toEqual(['32', '31.5', '0.25', '0.33']);
  });
});
