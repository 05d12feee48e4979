import pg from 'pg'; import fs from 'node:fs';
const raw = fs.readFileSync('/tmp/mp/msg.eml');
const c = new pg.Client('postgres://postgres@127.0.0.1:55432/postgres'); await c.connect();
for (const storage of ['EXTENDED','EXTERNAL','EXTENDED','EXTERNAL']) {
  await c.query('drop table if exists t_raw'); await c.query('create table t_raw (id serial primary key, b bytea)');
  await c.query(`alter table t_raw alter column b set storage ${storage}`);
  const pid = (await c.query('select pg_backend_pid() p')).rows[0].p;
  const cpu = () => { const f = fs.readFileSync(`/proc/${pid}/stat`,'utf8'); const s=f.slice(f.lastIndexOf(')')+2).split(' '); return (+s[11] + +s[12])*10; };
  const c0 = cpu(), u0 = process.cpuUsage(), t0 = performance.now();
  for (let i=0;i<100;i++) await c.query('insert into t_raw (b) values ($1)', [raw]);
  const u = process.cpuUsage(u0);
  console.log(storage, 'wall', ((performance.now()-t0)/100).toFixed(1), 'ms; pg cpu', ((cpu()-c0)/100).toFixed(1), 'ms; node cpu', ((u.user+u.system)/1000/100).toFixed(1), 'ms');
}
await c.query('drop table t_raw'); await c.end();
