import { describe, expect, it } from 'vitest';
import { lintWith } from '../helpers/lint.js';

// What the fixture runner cannot express: the severity of a read loop.
const command = (body: string): string => `<?php
namespace App\\Command;

use Doctrine\\ORM\\EntityManagerInterface;

final class RefreshStations
{
    public function __construct(private EntityManagerInterface $em) {}

    public function run(): void
    {
        $query = $this->em->createQuery('SELECT s FROM App\\Entity\\Station s');
        foreach ($query->toIterable() as $station) {
${body}
        }
    }
}
`;
const found = (text: string, longRunning = false) => lintWith(text, ['orm-identity-map-growth'], { path: 'src/Command/RefreshStations.php', longRunning })
  .map((f) => [f.ruleId, f.range.start.line, f.severity]);

describe('orm-identity-map-growth on read loops', () => {
  it('a loop that only reads is a note (a peak freed with the EntityManager), a warning in long-running code', () => {
    const text = command('            $this->notifier->refresh($station->getName());');
    expect(found(text)).toEqual([['orm-identity-map-growth', 13, 'info']]);
    expect(found(text, true)).toEqual([['orm-identity-map-growth', 13, 'warning']]);
  });
  it('a read loop that also writes through the EntityManager is a warning, an error in long-running code', () => {
    const text = command('            if ($station->isStale()) {\n                $this->em->remove($station);\n            }');
    expect(found(text)).toEqual([['orm-identity-map-growth', 13, 'warning']]);
    expect(found(text, true)).toEqual([['orm-identity-map-growth', 13, 'error']]);
  });
  it('a console command whose loop reads rows (a batch command, which ends) keeps a read-only loop a note', () => {
    const text = `<?php
namespace App\\Console;

use Doctrine\\ORM\\EntityManagerInterface;
use Symfony\\Component\\Console\\Command\\Command;
use Symfony\\Component\\Console\\Input\\InputInterface;
use Symfony\\Component\\Console\\Output\\OutputInterface;

final class ReloadFrontends extends Command
{
    public function __construct(private EntityManagerInterface $em) { parent::__construct(); }

    protected function execute(InputInterface $input, OutputInterface $output): int
    {
        $stations = $this->em->createQuery('SELECT s FROM App\\Entity\\Station s')->toIterable();
        foreach ($stations as $station) {
            $output->writeln($station->getName());
        }
        return 0;
    }
}
`;
    const fs = lintWith(text, ['orm-identity-map-growth'], { path: 'src/Console/ReloadFrontends.php' });
    expect(fs.map((f) => [f.ruleId, f.range.start.line, f.severity])).toEqual([['orm-identity-map-growth', 15, 'info']]);
  });
});
