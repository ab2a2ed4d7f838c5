// Asks engines whether they answer their own protocol (not just an open port):
//   node scripts/engines/probe.js [--timeout=SECONDS] [--pid=PID] ENGINE=TARGET...
//   ENGINE is kafka (TARGET: broker list) or mongo (TARGET: MongoDB URL).
// Retries each engine until it answers or the timeout passes; with --pid it gives up as soon as
// that process has died (a broker that crashed on start will never answer). Prints one line per
// engine ("kafka up" / "kafka down: reason") and exits 1 when any is down.
'use strict';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const found = args.find((a) => a.startsWith(`--${name}=`));
  return found ? found.slice(name.length + 3) : fallback;
};
const timeoutMs = Number(option('timeout', '5')) * 1000;
const pid = option('pid', '') ? Number(option('pid', '')) : null;
const targets = args
  .filter((a) => !a.startsWith('--'))
  .map((a) => {
    const eq = a.indexOf('=');
    if (eq < 1) throw new Error(`probe: expected ENGINE=TARGET, got ${a}`);
    return { engine: a.slice(0, eq), target: a.slice(eq + 1) };
  });

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function processAlive(id) {
  try {
    process.kill(id, 0);
    return true;
  } catch {
    return false;
  }
}

async function kafkaAnswers(brokers, budgetMs) {
  const { Kafka, logLevel } = require('kafkajs');
  const kafka = new Kafka({
    clientId: 'engines-probe',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(3000, budgetMs),
    requestTimeout: Math.min(5000, budgetMs),
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
    // Metadata alone can answer before the broker has registered with the controller.
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) throw new Error('no broker registered yet');
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function mongoAnswers(url, budgetMs) {
  const { MongoClient } = require('mongoose').mongo;
  const client = new MongoClient(url, {
    serverSelectionTimeoutMS: Math.min(3000, budgetMs),
    connectTimeoutMS: Math.min(3000, budgetMs),
  });
  try {
    await client.connect();
    const reply = await client.db('admin').command({ ping: 1 });
    if (reply.ok !== 1) throw new Error(`ping answered ${JSON.stringify(reply)}`);
  } finally {
    await client.close().catch(() => undefined);
  }
}

const checks = { kafka: kafkaAnswers, mongo: mongoAnswers };

async function probe({ engine, target }) {
  const check = checks[engine];
  if (!check) return `unknown engine ${engine}`;
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    const budget = deadline - Date.now();
    try {
      await check(target, Math.max(budget, 500));
      return null;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (pid !== null && !processAlive(pid)) return `process ${pid} exited (${last})`;
    if (Date.now() + 500 >= deadline)
      return `${target} did not answer within ${timeoutMs / 1000}s (${last})`;
    await sleep(500);
  }
}

(async () => {
  let down = 0;
  for (const target of targets) {
    const failure = await probe(target);
    if (failure) {
      down += 1;
      console.log(`${target.engine} down: ${failure}`);
    } else {
      console.log(`${target.engine} up`);
    }
  }
  process.exit(down === 0 ? 0 : 1);
})().catch((error) => {
  console.error(`probe: ${error instanceof Error ? error.stack : error}`);
  process.exit(2);
});
