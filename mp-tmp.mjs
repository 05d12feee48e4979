import { simpleParser } from 'mailparser'; import fs from 'node:fs';
const raw = fs.readFileSync('/tmp/mp/msg.eml');
const opts = { skipImageLinks: true, skipTextLinks: true, skipTextToHtml: true, skipHtmlToText: true, checksumAlgo: false };
for (let i=0;i<20;i++) await simpleParser(raw, opts);
const u0 = process.cpuUsage(); const t0 = performance.now();
const N=100; for (let i=0;i<N;i++) await simpleParser(raw, opts);
const u = process.cpuUsage(u0);
console.log('wall ms/msg', ((performance.now()-t0)/N).toFixed(1), 'cpu ms/msg (all threads)', ((u.user+u.system)/1000/N).toFixed(1));
