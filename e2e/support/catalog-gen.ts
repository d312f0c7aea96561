/**
 * A deterministic, plausible catalog of any size for benchmarks and screenshots: titles from
 * adjectives, materials and per-category nouns (a few with accents), short descriptions, tags and
 * prices spread over two orders of magnitude. The same seed gives the same catalog.
 */
import type { SeedProduct } from './seed.ts';

export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const ADJECTIVES = ['Cozy', 'Classic', 'Compact', 'Deluxe', 'Rugged', 'Sleek', 'Vintage', 'Modern', 'Handmade', 'Portable', 'Quiet', 'Bright', 'Smart', 'Soft', 'Sturdy', 'Tiny', 'Grand', 'Nordic', 'Rustic', 'Élégant', 'Crème', 'Lightweight', 'Waterproof', 'Organic', 'Premium'];
const MATERIALS = ['Oak', 'Walnut', 'Bamboo', 'Steel', 'Copper', 'Linen', 'Wool', 'Leather', 'Ceramic', 'Glass', 'Cotton', 'Marble', 'Brass', 'Canvas', 'Cork'];
export const CATEGORY_NOUNS: Readonly<Record<string, readonly string[]>> = {
  Electronics: ['Headphones', 'Keyboard', 'Speaker', 'Charger', 'Monitor', 'Webcam', 'Microphone', 'Router', 'Tablet', 'Earbuds'],
  Home: ['Lamp', 'Cushion', 'Blanket', 'Vase', 'Clock', 'Mirror', 'Rug', 'Shelf', 'Candle', 'Planter'],
  Kitchen: ['Blender', 'Kettle', 'Skillet', 'Teapot', 'Grinder', 'Toaster', 'Cutting Board', 'Mug', 'Whisk', 'Colander'],
  Apparel: ['Jacket', 'Sweater', 'Scarf', 'Sneakers', 'Backpack', 'Beanie', 'Gloves', 'Raincoat', 'Hoodie', 'Socks'],
  Books: ['Cookbook', 'Atlas', 'Novel', 'Notebook', 'Journal', 'Sketchbook', 'Planner', 'Dictionary', 'Anthology', 'Almanac'],
  Sports: ['Yoga Mat', 'Dumbbell', 'Racket', 'Helmet', 'Water Bottle', 'Jump Rope', 'Football', 'Bicycle Bell', 'Tent', 'Compass'],
  Toys: ['Puzzle', 'Kite', 'Robot', 'Teddy Bear', 'Yo-yo', 'Marbles', 'Spinning Top', 'Dollhouse', 'Train Set', 'Building Blocks'],
  Garden: ['Trowel', 'Watering Can', 'Hose', 'Pruner', 'Bird Feeder', 'Seed Tray', 'Wheelbarrow', 'Rake', 'Trellis', 'Sprinkler'],
  Music: ['Ukulele', 'Harmonica', 'Metronome', 'Drumsticks', 'Guitar Strap', 'Capo', 'Tambourine', 'Music Stand', 'Kalimba', 'Recorder'],
  Office: ['Desk Organizer', 'Stapler', 'Fountain Pen', 'Paper Tray', 'Monitor Stand', 'Desk Mat', 'Whiteboard', 'Label Maker', 'Bookend', 'Letter Opener'],
};
const TAGS = ['gift', 'eco', 'bestseller', 'new', 'sale', 'handmade', 'travel', 'kids', 'outdoor', 'minimal', 'limited', 'café'];
const SENTENCES = [
  'Built to last and easy to care for.',
  'A favourite of our regulars since day one.',
  'Ships in recycled packaging.',
  'Designed in a small workshop and tested for a year.',
  'Pairs well with the rest of the collection.',
  'Wipe clean with a damp cloth.',
  'Comes with a two-year guarantee.',
];

export function generateCatalog(count: number, seed = 42): SeedProduct[] {
  const next = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const categories = Object.keys(CATEGORY_NOUNS);
  const start = Date.UTC(2026, 0, 1);
  return Array.from({ length: count }, (_unused, index) => {
    const category = categories[index % categories.length]!;
    const noun = pick(CATEGORY_NOUNS[category]!);
    const title = `${pick(ADJECTIVES)} ${pick(MATERIALS)} ${noun}${next() < 0.3 ? ` ${Math.floor(next() * 900) + 100}` : ''}`;
    const tags = [...new Set([pick(TAGS), ...(next() < 0.5 ? [pick(TAGS)] : [])])];
    return {
      id: `p${String(index).padStart(5, '0')}`,
      title,
      description: `${pick(SENTENCES)} ${pick(SENTENCES)}`,
      amount: 199 + Math.floor(next() * next() * 49_800),
      category,
      tags,
      createdAt: start + index * 60_000,
    };
  });
}

/**
 * A realistic typo of a word: one letter dropped, or (words of 8+ letters, which may carry two
 * edits) two neighbours swapped. Words under 5 letters are left alone.
 */
export function typo(word: string, next: () => number): string {
  if (word.length < 5) return word;
  const at = 1 + Math.floor(next() * (word.length - 3));
  return word.length >= 8 && next() < 0.5 ? word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2) : word.slice(0, at) + word.slice(at + 1);
}

/** Search queries with typos over the generated catalog's nouns, each expected to match. */
export function typoQueries(count: number, seed = 7): string[] {
  const next = random(seed);
  const words = Object.values(CATEGORY_NOUNS).flat().flatMap((noun) => noun.split(' ')).filter((word) => word.length >= 6);
  return Array.from({ length: count }, () => typo(words[Math.floor(next() * words.length)]!.toLowerCase(), next));
}
