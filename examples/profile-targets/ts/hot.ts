// The planted hot spot, in TypeScript: the profile must point here, not at dist/hot.js.
declare const process: { argv: string[] };
export function hotTs(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.sqrt(i) % 3;
  return s;
}

export function coldTs(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += i % 7;
  return s;
}

const reps = Number(process.argv[2] ?? 20);
let total = 0;
for (let k = 0; k < reps; k++) {
  total += hotTs(2_000_000);
  total += coldTs(100_000);
}
console.log(total);
