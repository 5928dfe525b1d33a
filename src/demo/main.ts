import { runDemo } from './run-demo';

runDemo((line) => console.log(line)).then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
