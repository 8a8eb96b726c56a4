// `npm run bench`: the load benchmark (bench/bench.js; flags: --db postgres, --driver better-sqlite3, --quick, --no-tenth).
require('../bench/bench.js');
