import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const read = (path: string) => parse(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')) as Record<string, any>;

describe('Kubernetes manifests', () => {
  const deployment = read('deploy/kubernetes/deployment.yaml');
  const config = read('deploy/kubernetes/configmap.yaml');
  const pdb = read('deploy/kubernetes/pdb.yaml');
  const service = read('deploy/kubernetes/service.yaml');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];

  it('probe the health endpoints the service serves', () => {
    expect(container.readinessProbe.httpGet.path).to.equal('/health/ready');
    expect(container.livenessProbe.httpGet.path).to.equal('/health/live');
    expect(container.ports[0].containerPort).to.equal(Number(config.data.PORT));
  });

  it('give the pod longer to stop than the shutdown delay and grace period', () => {
    const needed = (Number(config.data.SHUTDOWN_DELAY_MS) + Number(config.data.SHUTDOWN_GRACE_MS)) / 1000;
    expect(pod.terminationGracePeriodSeconds).to.be.above(needed);
  });

  it('select the same pods in the Deployment, Service and PodDisruptionBudget, and run as non-root', () => {
    const labels = deployment.spec.template.metadata.labels;
    expect(deployment.spec.selector.matchLabels).to.deep.equal(labels);
    expect(service.spec.selector).to.deep.equal(labels);
    expect(pdb.spec.selector.matchLabels).to.deep.equal(labels);
    expect(pod.securityContext.runAsNonRoot).to.equal(true);
    expect(container.resources.requests).to.have.keys('cpu', 'memory');
  });

  it('keep compose and the image in step with the shutdown settings', () => {
    const compose = read('docker-compose.yml');
    expect(compose.services.gateway.stop_grace_period).to.equal('40s');
    const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
    expect(dockerfile).to.match(/HEALTHCHECK[\s\S]*\/health\/live/);
    expect(dockerfile).to.match(/^USER node$/m);
    expect(dockerfile).to.include('tini');
  });

  it('start node the same way in the image, npm start, the production check and the benchmark', () => {
    const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
    const cmd = dockerfile.split('\n').filter((line) => line.startsWith('CMD [')).at(-1)!;
    const command = (JSON.parse(cmd.slice('CMD '.length)) as string[]).join(' ');
    expect(command).to.match(/^node .*dist\/src\/main\.js$/);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).to.include(command);
    expect(readFileSync(new URL('../../scripts/production-start-check.sh', import.meta.url), 'utf8')).to.include(command);
    // The benchmark and the profiler read the command from the Dockerfile itself.
    expect(readFileSync(new URL('../../bench/processes.mjs', import.meta.url), 'utf8')).to.include('imageCommand()');
  });

  it("start node without V8's memory reducer, so a light load keeps its optimized code", () => {
    // Its collection of a quiet process throws away the request path's optimized code (bench/README.md, "Eighteenth pass").
    const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
    const cmd = dockerfile.split('\n').filter((line) => line.startsWith('CMD [')).at(-1)!;
    expect(JSON.parse(cmd.slice('CMD '.length)) as string[]).to.include('--no-memory-reducer');
  });
});
