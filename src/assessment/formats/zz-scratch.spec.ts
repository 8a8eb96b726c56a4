import { readFileSync } from 'fs';
import { parseGift } from './gift.parser';
import { serializeGift } from './gift.serializer';
const strip = (qs: any[]) => qs.map(({ line, ...rest }) => rest);
it('scratch', () => {
for (const f of ['moodle-examples.gift.txt', 'moodle-fixture-questions.gift.txt']) {
  const r = parseGift(readFileSync('/work/shared/fixtures/gift/' + f, 'utf8'));
  const out = serializeGift(r.questions);
  if (f.includes('fixture')) console.log(out);
  const again = parseGift(out);
  expect(again.errors).toEqual([]);
  expect(strip(again.questions)).toEqual(strip(r.questions));
}
});
