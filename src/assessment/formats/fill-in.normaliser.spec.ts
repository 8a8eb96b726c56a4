import { matchesFillIn, normaliseFillIn } from './fill-in.normaliser';

describe(normaliseFillIn.name, () => {
  it('trims surrounding spaces, including the ideographic space', () => {
    expect(normaliseFillIn('\u3000 网格员 \u3000', false)).toBe('网格员');
  });

  it('folds full-width letters and digits to half-width', () => {
    expect(normaliseFillIn('ＡＢＣ１２３', true)).toBe('ABC123');
  });

  it('folds full-width punctuation to half-width', () => {
    expect(normaliseFillIn('１２３４５（社区）！', true)).toBe('12345(社区)!');
  });

  it('turns an ideographic space inside the answer into an ordinary one', () => {
    expect(normaliseFillIn('居民\u3000委员会', true)).toBe('居民 委员会');
  });

  it('collapses runs of inner whitespace to one space', () => {
    expect(normaliseFillIn('村民  \t自治\n 组织', true)).toBe('村民 自治 组织');
  });

  it('lower-cases when the answer is not case-sensitive', () => {
    expect(normaliseFillIn('ＷｉＦｉ 网络', false)).toBe('wifi 网络');
  });

  it('keeps the case when the answer is case-sensitive', () => {
    expect(normaliseFillIn('ＷｉＦｉ 网络', true)).toBe('WiFi 网络');
  });

  it('leaves Chinese punctuation that has no ASCII form alone', () => {
    expect(normaliseFillIn('调解。协商、沟通', false)).toBe('调解。协商、沟通');
  });

  it('gives the same result for a full-width and a half-width spelling', () => {
    expect(normaliseFillIn('１２３４５　热线', false)).toBe(normaliseFillIn('12345 热线', false));
  });
});

describe(matchesFillIn.name, () => {
  it('accepts a response that differs only in width, spacing and case', () => {
    expect(matchesFillIn('  １２３４５ 热线 ', '12345 热线', false)).toBe(true);
  });

  it('rejects a different answer', () => {
    expect(matchesFillIn('12345', '110', false)).toBe(false);
  });

  it('respects case when the question is case-sensitive', () => {
    expect(matchesFillIn('wifi', 'WiFi', true)).toBe(false);
    expect(matchesFillIn('ＷｉＦｉ', 'WiFi', true)).toBe(true);
  });

  it('lets * in the accepted answer match any run of characters, as Moodle does', () => {
    expect(matchesFillIn('第一居民委员会', '*居民委员会', false)).toBe(true);
    expect(matchesFillIn('居民小组', '*居民委员会', false)).toBe(false);
  });

  it('lets a lone * match anything', () => {
    expect(matchesFillIn('whatever', '*', false)).toBe(true);
  });

  it('treats \\* as a literal star', () => {
    expect(matchesFillIn('5*3', '5\\*3', false)).toBe(true);
    expect(matchesFillIn('5x3', '5\\*3', false)).toBe(false);
  });

  it('escapes regular-expression characters in the accepted answer', () => {
    expect(matchesFillIn('a.b', 'a.b', false)).toBe(true);
    expect(matchesFillIn('axb', 'a.b', false)).toBe(false);
  });
});
