import { expect } from 'chai';
import http from 'node:http';
import { Socket } from 'node:net';
import { CONNECT_TIMEOUT_CODE, limitConnectTime } from '../../src/providers/http/http-agents.js';

describe('connect timeout on the upstream agents', () => {
  it('destroys a socket that does not connect in time', async () => {
    const agent = new http.Agent();
    // A socket that never connects stands in for an unreachable host; no traffic leaves the machine.
    (agent as unknown as { createConnection: () => Socket }).createConnection = () => new Socket();
    limitConnectTime(agent, 50, 'connect');
    const socket = (agent as unknown as { createConnection: (options: unknown) => Socket }).createConnection({});
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => socket.once('error', resolve));
    expect(error.code).to.equal(CONNECT_TIMEOUT_CODE);
    expect(socket.destroyed).to.equal(true);
  });

  it('leaves a socket alone once it has connected', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const agent = limitConnectTime(new http.Agent({ keepAlive: true }), 50, 'connect');
    const body = await new Promise<string>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, agent }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => setTimeout(() => resolve(text), 100));
      }).on('error', reject);
    });
    expect(body).to.equal('ok');
    agent.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
});
