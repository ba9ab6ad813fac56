// How search text is compared: without regard to case or accents, so "cafe" finds
// "Café", "muller" finds "Müller" and "istanbul" finds "İstanbul". Both the indexed text
// and the query go through fold(). Only Latin/Greek/Cyrillic combining accents
// (U+0300–U+036F) are dropped: a Japanese dakuten (が ≠ か) changes the word and stays.
// Letters that carry no separable accent are spelled out as a German/Nordic/Polish
// reader types them without the key (ß → ss, æ → ae, ø → o, ł → l).

const LETTERS: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };
const LETTER_RE = /[ßæœøłđðþı]/g;

export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(LETTER_RE, (c) => LETTERS[c] ?? c)
    .normalize('NFC');
}
