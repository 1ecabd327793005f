import { describe, expect, it } from 'vitest';
import { enrich } from '../../engine/project-index.js';
import { ruleById } from '../helpers/lint.js';
import { indexFiles } from '../helpers/project.js';

// Laravel's container builds a new instance for every lookup of a class nobody registers as
// shared (`bind()` or plain autowiring): `resolve(X::class)->…` dropped at once is a `new X`
// dropped at once (engine/facts/instantiations.ts). A `singleton()`/`scoped()`/`instance()`
// call, a provider's `$singletons`, a `#[Singleton]` attribute, or a lookup whose instance is
// stored keeps X possibly long-lived, and its instance cache is reported.

const rules = [{ rule: ruleById.get('unbounded-cache')! }];
const metas = new Map([...ruleById].map(([id, r]) => [id, r.meta]));

const resolver = (attribute = '') => `<?php

namespace App\\Pricing;

${attribute}class PriceResolver implements PriceResolverContract
{
    private array $resolved = [];

    public function forSku(string $sku): float
    {
        if (!array_key_exists($sku, $this->resolved)) {
            $this->resolved[$sku] = $this->lookup($sku);
        }
        return $this->resolved[$sku];
    }

    private function lookup(string $sku): float
    {
        return (float) \\DB::table('prices')->where('sku', $sku)->value('amount');
    }
}
`;
const provider = (body: string) => `<?php

namespace App\\Providers;

use App\\Pricing\\PriceResolver;
use App\\Pricing\\PriceResolverContract;
use Illuminate\\Support\\ServiceProvider;

class PricingServiceProvider extends ServiceProvider
{
${body}
}
`;
const TRANSIENT = provider(`    public function register(): void
    {
        $this->app->bind(PriceResolverContract::class, PriceResolver::class);
    }`);
const LINE = `<?php

namespace App\\Orders;

use App\\Pricing\\PriceResolver;

class OrderLine
{
    public function __construct(private string $sku, private int $quantity)
    {
    }

    public function total(): float
    {
        return resolve(PriceResolver::class)->forSku($this->sku) * $this->quantity;
    }
}
`;
const RESOLVER = 'app/Pricing/PriceResolver.php';

function after(files: Record<string, string>): number[] {
  const { index, found } = indexFiles(files, rules);
  return enrich(RESOLVER, found.get(RESOLVER)!, index, { rules: metas }).map((f) => f.range.start.line);
}

describe('Laravel container lookups as instantiations', () => {
  it('drops the cache of a class bound with bind() and looked up per call, its instance dropped at once', () => {
    const files = { [RESOLVER]: resolver(), 'app/Providers/PricingServiceProvider.php': TRANSIENT, 'app/Orders/OrderLine.php': LINE };
    expect(after(files)).toEqual([]);
    // Looked up by its contract, which bind() maps to it.
    const byContract = LINE.replace('use App\\Pricing\\PriceResolver;', 'use App\\Pricing\\PriceResolverContract;').replace('resolve(PriceResolver::class)', 'resolve(PriceResolverContract::class)');
    expect(byContract).toContain('resolve(PriceResolverContract::class)');
    expect(after({ ...files, 'app/Orders/OrderLine.php': byContract })).toEqual([]);
    // Without the lookup nothing says how it is made: reported.
    expect(after({ [RESOLVER]: resolver(), 'app/Providers/PricingServiceProvider.php': TRANSIENT })).toEqual([12]);
  });

  it('keeps it when something registers the class as shared or stores the instance it looks up', () => {
    const singleton = provider(`    public function register(): void
    {
        $this->app->singleton(PriceResolverContract::class, PriceResolver::class);
    }`);
    const property = provider('    public $singletons = [PriceResolverContract::class => PriceResolver::class];');
    const stored = LINE.replace('resolve(PriceResolver::class)->forSku($this->sku)', '($this->prices ??= resolve(PriceResolver::class))->forSku($this->sku)')
      .replace('class OrderLine\n{', 'class OrderLine\n{\n    private static ?PriceResolver $shared = null;\n    private $prices;');
    expect(after({ [RESOLVER]: resolver(), 'app/Providers/PricingServiceProvider.php': singleton, 'app/Orders/OrderLine.php': LINE })).toEqual([12]);
    expect(after({ [RESOLVER]: resolver(), 'app/Providers/PricingServiceProvider.php': property, 'app/Orders/OrderLine.php': LINE })).toEqual([12]);
    expect(after({ [RESOLVER]: resolver('#[\\Illuminate\\Container\\Attributes\\Singleton]\n'), 'app/Orders/OrderLine.php': LINE })).toEqual([13]);
    expect(after({ [RESOLVER]: resolver(), 'app/Providers/PricingServiceProvider.php': TRANSIENT, 'app/Orders/OrderLine.php': stored })).toEqual([12]);
  });
});
