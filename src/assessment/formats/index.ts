export * from './question.types';
export * from './bank-markdown.types';
export { parseGift } from './gift.parser';
export { serializeGift, GiftSerializeError } from './gift.serializer';
export { GIFT_BLANK } from './gift.syntax';
export { parseBankMarkdown, BANK_SLUG, BANK_LESSON, BANK_TAG } from './bank-markdown.parser';
export { serializeBankMarkdown, BankSerializeError } from './bank-markdown.serializer';
export { normaliseFillIn, matchesFillIn } from './fill-in.normaliser';
