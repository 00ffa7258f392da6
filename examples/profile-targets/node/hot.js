// The planted hot spot: hotFn does about 95% of the work.
function hotFn(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.sqrt(i) % 3;
  return s;
}

function coldFn(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += i % 7;
  return s;
}

const reps = Number(process.argv[2] ?? 20);
let total = 0;
for (let k = 0; k < reps; k++) {
  total += hotFn(2_000_000);
  total += coldFn(100_000);
}
console.log(total);
