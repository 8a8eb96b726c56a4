// Reading and writing question banks: Moodle GIFT and our bank markdown (content/README.md).
export * from './question.types';
export * from './bank-markdown.types';
export { parseGift } from './gift.parser';
export { serializeGift, GiftSerializeError } from './gift.serializer';
export { GIFT_BLANK } from './gift.syntax';
export { parseBankMarkdown } from './bank-markdown.parser';
export { serializeBankMarkdown, BankSerializeError } from './bank-markdown.serializer';
export { BANK_LESSON, BANK_SLUG, BANK_TAG } from './bank-markdown.syntax';
export { matchesFillIn, normaliseFillIn } from './fill-in.normaliser';
