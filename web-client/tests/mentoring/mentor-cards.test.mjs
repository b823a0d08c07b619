// Mentor cards in the GP's browser (src/mentoring/mentor-cards.ts): parsing
// with limits, filtering by area, region and language, hiding people the GP
// knows, a ranking that explains itself, and up to three choices in order.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { load } from './bundle.mjs';

let M;
before(async () => { M = await load('mentor-cards'); });

const RAW = [
  { id: 'm1', display_name: 'Dr Sarah Jones', profile: 'Partner for 20 years.', areas: ['partnership', 'leadership'], region: 'East Midlands', languages: ['English'] },
  { id: 'm2', display_name: 'Dr Siân Ó Súilleabháin', profile: 'Returned after a career break.', areas: ['returning-to-work', 'wellbeing', 'career-crossroads'], region: 'Wales', languages: ['English', 'Welsh'] },
  { id: 'm3', display_name: 'Dr Amir Khan', profile: '', areas: ['career-crossroads', 'partnership'], region: 'London', languages: ['English', 'Urdu', 'Punjabi'] },
  { id: 'm4', display_name: 'Prof. Jane Jones-Smith', profile: 'Retired GP trainer.', areas: ['retirement-planning', 'leadership'], region: 'east midlands', languages: ['English'] },
  { id: 'm5', display_name: 'Dr Tom Reid', profile: 'Salaried GP.', areas: ['wellbeing'], region: 'Scotland', languages: ['English', 'Gaelic'] },
];

test('cards are parsed with limits, and a bad card is refused by its index', () => {
  const cards = M.parseMentorCards(RAW);
  assert.equal(cards.length, 5);
  assert.deepEqual(cards[1].areas, ['returning-to-work', 'wellbeing', 'career-crossroads']);
  assert.equal(cards[0].displayName, 'Dr Sarah Jones');
  const bad = (json, code, index) => assert.throws(() => M.parseMentorCards(json), (e) => e.name === 'MentorCardError' && e.code === code && e.index === index);
  bad({}, 'not_a_list', undefined);
  bad(Array(501).fill(RAW[0]), 'too_many', undefined);
  bad([RAW[0], { ...RAW[1], areas: ['astrology'] }], 'bad_card', 1);
  bad([RAW[0], { ...RAW[1], id: 'm1' }], 'bad_card', 1);
  bad([{ ...RAW[0], id: 'has space' }], 'bad_card', 0);
  bad([{ ...RAW[0], display_name: 'x'.repeat(81) }], 'bad_card', 0);
  bad([{ ...RAW[0], display_name: '   ' }], 'bad_card', 0);
  bad([{ ...RAW[0], profile: 'x'.repeat(1001) }], 'bad_card', 0);
  bad([{ ...RAW[0], languages: [] }], 'bad_card', 0);
  bad([{ ...RAW[0], languages: Array(11).fill('English') }], 'bad_card', 0);
  bad([{ ...RAW[0], areas: [] }], 'bad_card', 0);
  bad([null], 'bad_card', 0);
});

test('filters: areas (any of them), regions to show or avoid, languages (any of them)', () => {
  const cards = M.parseMentorCards(RAW);
  const ids = (f) => M.rankCards(cards, f).map((r) => r.card.id).sort();
  assert.deepEqual(ids({}), ['m1', 'm2', 'm3', 'm4', 'm5']);
  assert.deepEqual(ids({ areas: ['wellbeing'] }), ['m2', 'm5']);
  assert.deepEqual(ids({ areas: ['partnership', 'retirement-planning'] }), ['m1', 'm3', 'm4']);
  assert.deepEqual(ids({ regions: ['East Midlands'] }), ['m1', 'm4'], 'region compared without case');
  assert.deepEqual(ids({ avoidRegions: ['east midlands'] }), ['m2', 'm3', 'm5'], 'a GP can avoid their own region');
  assert.deepEqual(ids({ languages: ['welsh', 'Gaelic'] }), ['m2', 'm5']);
  assert.deepEqual(ids({ areas: ['leadership'], avoidRegions: ['London'], languages: ['English'] }), ['m1', 'm4']);
});

test('people the GP knows are hidden, whatever title, accents, case or order', () => {
  const cards = M.parseMentorCards(RAW);
  const ids = (f) => M.rankCards(cards, f).map((r) => r.card.id).sort();
  assert.deepEqual(ids({ excludeNames: ['sarah jones'] }), ['m2', 'm3', 'm4', 'm5']);
  assert.deepEqual(ids({ excludeNames: ['Jones'] }), ['m2', 'm3', 'm5'], 'a surname alone hides every Jones (errs on hiding)');
  assert.deepEqual(ids({ excludeNames: ['Sian O Suilleabhain'] }), ['m1', 'm3', 'm4', 'm5'], 'accents do not matter');
  assert.deepEqual(ids({ excludeNames: ['KHAN, Amir'] }), ['m1', 'm2', 'm4', 'm5'], 'order and punctuation do not matter');
  assert.deepEqual(ids({ excludeNames: ['Dr'] }), ['m1', 'm2', 'm3', 'm4', 'm5'], 'a title alone hides nobody');
  assert.deepEqual(ids({ excludeNames: ['Sarah Reid'] }), ['m1', 'm2', 'm3', 'm4', 'm5'], 'every word must match');
  assert.deepEqual(ids({ excludeIds: ['m3', 'm5'] }), ['m1', 'm2', 'm4']);
  assert.throws(() => M.rankCards(cards, { excludeNames: Array(51).fill('x') }), { code: 'bad_filter' });
  assert.throws(() => M.rankCards(cards, { excludeNames: ['x'.repeat(81)] }), { code: 'bad_filter' });
});

test('the ranking puts more of the GP\'s areas first, then languages, and says why', () => {
  const cards = M.parseMentorCards(RAW);
  const ranked = M.rankCards(cards, { areas: ['career-crossroads', 'wellbeing'], languages: ['English', 'Welsh'] });
  assert.equal(ranked[0].card.id, 'm2', 'covers both areas and both languages');
  assert.deepEqual(ranked.slice(1).map((r) => r.card.id).sort(), ['m3', 'm5']);
  assert.deepEqual(ranked.map((r) => r.score), [22, 11, 11]);
  assert.deepEqual(ranked[0].reasons, ['Covers 2 of your 2 areas: career crossroads, wellbeing', 'Speaks English, Welsh']);
  assert.deepEqual(ranked.find((r) => r.card.id === 'm3').reasons, ['Covers 1 of your 2 areas: career crossroads', 'Speaks English']);
  // Languages count after areas: Welsh lifts m2 above a card with the same areas but English only.
  const two = M.parseMentorCards([RAW[1], { ...RAW[1], id: 'm9', display_name: 'Dr B', languages: ['English'] }]);
  assert.deepEqual(M.rankCards(two, { areas: ['wellbeing'], languages: ['welsh', 'english'] }).map((r) => r.card.id), ['m2', 'm9']);
  // Ties are not alphabetical: the seed decides, the same seed the same order.
  const tie = (seed) => M.rankCards(cards, { tieSeed: seed }).map((r) => r.card.id).join();
  assert.equal(tie(1), tie(1));
  const orders = new Set([1, 2, 3, 4, 5, 6, 7, 8].map(tie));
  assert.ok(orders.size > 1, 'different visits order equal cards differently');
  assert.ok([...orders].some((o) => !o.startsWith('m1')), 'no card is always first');
  // A page that passes no seed still gets a name-blind order, not always the same one.
  const unseeded = new Set(Array.from({ length: 20 }, () => M.rankCards(cards).map((r) => r.card.id).join()));
  assert.ok(unseeded.size > 1, 'without a seed, a random one each time');
});

test('up to three different choices, in order, only from the cards shown', () => {
  const cards = M.parseMentorCards(RAW);
  const shown = M.rankCards(cards, { excludeIds: ['m5'] });
  let c = [];
  c = M.addChoice(c, 'm3', shown);
  c = M.addChoice(c, 'm1', shown);
  assert.throws(() => M.addChoice(c, 'm1', shown), { code: 'duplicate_choice' });
  assert.throws(() => M.addChoice(c, 'm5', shown), { code: 'unknown_mentor' }, 'an excluded mentor cannot be chosen');
  c = M.addChoice(c, 'm2', shown);
  assert.throws(() => M.addChoice(c, 'm4', shown), { code: 'too_many_choices' });
  assert.deepEqual(c, ['m3', 'm1', 'm2']);
  assert.deepEqual(M.moveChoice(c, 'm2', -1), ['m3', 'm2', 'm1']);
  assert.deepEqual(M.moveChoice(c, 'm3', -1), ['m3', 'm1', 'm2'], 'first stays first');
  assert.deepEqual(M.moveChoice(c, 'm2', 1), ['m3', 'm1', 'm2'], 'last stays last');
  assert.deepEqual(M.removeChoice(c, 'm1'), ['m3', 'm2']);
  assert.deepEqual(c, ['m3', 'm1', 'm2'], 'the old list is unchanged');
  // The GP then adds a name they know: that choice goes.
  const later = M.rankCards(cards, { excludeIds: ['m5'], excludeNames: ['Amir Khan'] });
  assert.deepEqual(M.keepShownChoices(c, later), ['m1', 'm2']);
});
