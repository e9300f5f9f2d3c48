//! Word lists behind the sample-catalog generator.
//!
//! Kept apart from the generator so the data can grow without burying the
//! logic. Everything is `'static` data: no allocation, no global mutable state,
//! so lookups are free and the output depends only on (seed, index).
//!
//! Writing conventions (the generator relies on them):
//! - `noun` is in sentence case ("cast-iron skillet", "French press"); the
//!   generator title-cases it for names and uses it as-is inside sentences.
//! - `uses` are third-person verb phrases without a final period, so they fit
//!   "It …", "This … …" and "A … that …" alike.
//! - `features` are noun phrases ("a non-slip base"); `care` entries are whole
//!   sentences; `audiences` are plural noun phrases ("home cooks").

/// One kind of product, e.g. "French press".
#[derive(Debug)]
pub struct ProductType {
    pub noun: &'static str,
    /// What it is for / who it is for, in natural words (2–4 entries).
    pub uses: &'static [&'static str],
    /// Price range in whole dollars, `lo < hi`; the price lands in `[lo, hi)`.
    pub price: (u32, u32),
    /// Type-specific sizes or capacities; empty when the type has none.
    pub sizes: &'static [&'static str],
    /// Variants appended after a comma in the name ("Pre-Seasoned").
    pub variants: &'static [&'static str],
    /// Overrides the category's materials when those would be wrong for this
    /// type (a cast-iron skillet is never bamboo); empty = use the category's.
    pub materials: &'static [&'static str],
}

/// Defaults for the optional `ProductType` fields, used with `..T`.
pub const T: ProductType = ProductType {
    noun: "",
    uses: &[],
    price: (1, 2),
    sizes: &[],
    variants: &[],
    materials: &[],
};

/// A top-level category with its shared pools.
#[derive(Debug)]
pub struct Category {
    pub name: &'static str,
    /// Three-letter SKU prefix.
    pub code: &'static str,
    /// Words placed before the noun in names: colours, finishes, editions.
    pub looks: &'static [&'static str],
    /// Whether `looks` are colours/finishes that read well as "Shown in …".
    /// Grocery "Organic" or book "Hardcover" editions must not.
    pub looks_are_finishes: bool,
    pub materials: &'static [&'static str],
    pub features: &'static [&'static str],
    pub care: &'static [&'static str],
    pub audiences: &'static [&'static str],
    pub types: &'static [ProductType],
}

/// Brand-like names, invented so they do not collide with real trademarks.
pub const BRANDS: &[&str] = &[
    "Northwind",
    "Harborline",
    "Oakridge",
    "Bluefield",
    "Copperleaf",
    "Stonebrook",
    "Maple & Moss",
    "Tidewater",
    "Ironbark",
    "Silverpine",
    "Brightwell",
    "Kestrel",
    "Alder Lane",
    "Summit Peak",
    "Wrenfield",
    "Lumen & Co.",
    "Greystone",
    "Fernhill",
    "Riverbend",
    "Cobalt Works",
    "Juniper",
    "Meadowlark",
    "Foxglove",
    "Trailhead",
    "Sundial",
    "Highgate",
    "Pebble & Pine",
    "Redwood Supply",
    "Everly",
    "Clearwater",
    "Marlow",
    "Ashby",
    "Haven Home",
    "Wildroot",
    "Pinnacle",
    "Sparrow",
    "Birchwood",
    "Atlas Gear",
    "Moonfield",
    "Larkspur",
    "Driftwood",
    "Crestline",
];

/// Product lines that follow the brand ("Northwind Pro …"), as real ranges
/// do; they also multiply the number of distinct names.
pub const LINES: &[&str] = &[
    "Pro",
    "Essentials",
    "Classic",
    "Plus",
    "Select",
    "Everyday",
    "Signature",
    "Studio",
    "Max",
    "Lite",
    "Elite",
    "Go",
    "Original",
    "Prime",
];

/// Colours for categories where colour is a natural name modifier.
pub const COLORS: &[&str] = &[
    "Matte Black",
    "Charcoal",
    "Slate Gray",
    "Navy",
    "Sage Green",
    "Forest Green",
    "Terracotta",
    "Sand",
    "Ivory",
    "Cream",
    "Dusty Rose",
    "Burgundy",
    "Ocean Blue",
    "Mustard",
    "Olive",
    "Graphite",
    "White",
    "Coral",
    "Teal",
    "Lavender",
];

/// Finishes for hard goods: tools, lighting, furniture, hardware.
pub const FINISHES: &[&str] = &[
    "Matte Black",
    "Brushed Nickel",
    "Brushed Brass",
    "Antique Bronze",
    "Chrome",
    "Walnut",
    "Natural Oak",
    "White",
    "Graphite",
    "Satin Steel",
    "Espresso",
    "Copper",
];

// ---------------------------------------------------------------- Home: kitchen
pub const KITCHEN: Category = Category {
    name: "Kitchen",
    code: "KIT",
    looks: COLORS,
    looks_are_finishes: true,
    materials: &[
        "stainless steel",
        "food-safe silicone",
        "borosilicate glass",
        "bamboo",
        "enameled steel",
    ],
    features: &[
        "an easy-to-clean design",
        "sturdy construction that lasts for years",
        "a timeless look that suits any kitchen",
        "a shape that stores easily",
        "a generous manufacturer's warranty",
    ],
    care: &[
        "Hand wash with warm, soapy water and dry right away.",
        "Store in a dry place between uses.",
        "Follow the included care card to keep it looking new.",
    ],
    audiences: &[
        "home cooks",
        "busy families",
        "weekend bakers",
        "first apartments",
        "coffee lovers",
    ],
    types: &[
        ProductType {
            noun: "chef's knife",
            uses: &[
                "slices, dices and minces through everyday prep",
                "glides through onions, herbs and tomatoes without crushing them",
                "stays sharp through months of weeknight dinners",
            ],
            price: (24, 149),
            sizes: &["6-inch", "8-inch", "10-inch"],
            variants: &["Full Tang", "with Blade Guard"],
            materials: &["high-carbon German steel", "Japanese VG-10 steel"],
        },
        ProductType {
            noun: "cast-iron skillet",
            uses: &[
                "sears steaks and bakes cornbread in the same pan",
                "goes from stovetop to oven to campfire",
                "builds a better nonstick surface the more you cook with it",
            ],
            price: (19, 89),
            sizes: &["8-inch", "10-inch", "12-inch"],
            variants: &["Pre-Seasoned", "with Helper Handle"],
            materials: &["pre-seasoned cast iron"],
        },
        ProductType {
            noun: "French press",
            uses: &[
                "brews rich, full-bodied coffee in four minutes",
                "makes enough coffee for a slow weekend breakfast",
                "doubles as a cold-brew maker overnight",
            ],
            price: (18, 69),
            sizes: &["12 oz", "34 oz", "51 oz"],
            variants: &["Double-Wall", "with Extra Filter"],
            ..T
        },
        ProductType {
            noun: "travel mug",
            uses: &[
                "keeps coffee hot through the morning commute",
                "fits standard car cup holders",
                "seals tight so nothing spills in a backpack",
            ],
            price: (12, 45),
            sizes: &["12 oz", "16 oz", "20 oz"],
            variants: &["Leakproof Lid", "with Handle"],
            materials: &["double-wall vacuum-insulated stainless steel"],
        },
        ProductType {
            noun: "nonstick frying pan",
            uses: &[
                "flips eggs and pancakes without sticking",
                "makes quick weeknight stir-fries easy to clean up",
                "heats evenly on gas, electric and induction",
            ],
            price: (22, 99),
            sizes: &["8-inch", "10-inch", "12-inch"],
            variants: &["Induction Ready", "with Glass Lid"],
            materials: &["hard-anodized aluminum with a ceramic nonstick coating"],
        },
        ProductType {
            noun: "cutting board",
            uses: &[
                "gives knives a gentle surface for daily chopping",
                "catches juices from roasts with a deep groove",
                "doubles as a serving board for cheese and bread",
            ],
            price: (14, 79),
            sizes: &["Small", "Medium", "Large"],
            variants: &["Reversible", "with Juice Groove"],
            materials: &["end-grain acacia wood", "solid maple", "bamboo"],
        },
        ProductType {
            noun: "mixing bowl set",
            uses: &[
                "handles everything from whisking eggs to proofing dough",
                "nests neatly to save cabinet space",
                "goes from prep to fridge with snap-on lids",
            ],
            price: (19, 64),
            sizes: &["3-Piece", "5-Piece"],
            variants: &["with Lids", "Non-Slip Base"],
            ..T
        },
        ProductType {
            noun: "electric kettle",
            uses: &[
                "boils water for tea or pour-over in a few minutes",
                "shuts off automatically when the water boils",
                "holds water at the right temperature for green tea",
            ],
            price: (25, 119),
            sizes: &["1-liter", "1.7-liter"],
            variants: &["Gooseneck", "Variable Temperature"],
            ..T
        },
        ProductType {
            noun: "food storage container set",
            uses: &[
                "keeps leftovers fresh for days",
                "stacks neatly in the fridge and freezer",
                "takes lunch to work without leaks",
            ],
            price: (16, 59),
            sizes: &["10-Piece", "18-Piece", "24-Piece"],
            variants: &["Airtight Lids", "Oven Safe"],
            ..T
        },
        ProductType {
            noun: "stand mixer",
            uses: &[
                "kneads bread dough without tiring your arms",
                "whips cream and meringue in minutes",
                "handles double batches of cookie dough",
            ],
            price: (89, 449),
            sizes: &["4.5-quart", "5.5-quart"],
            variants: &["Tilt-Head", "with Pouring Shield"],
            materials: &["die-cast metal with a stainless steel bowl"],
        },
    ],
};

// ---------------------------------------------------------------- Home: cleaning
pub const HOME_CLEANING: Category = Category {
    name: "Home Cleaning",
    code: "CLN",
    looks: &[
        "Lemon",
        "Lavender",
        "Unscented",
        "Eucalyptus",
        "Fresh Linen",
        "Gray",
        "Blue",
        "Green",
    ],
    looks_are_finishes: false,
    materials: &["durable recycled plastic", "sturdy, long-lasting materials"],
    features: &[
        "a design that makes quick work of weekly chores",
        "packaging made from recycled materials",
        "a money-back satisfaction guarantee",
        "results you can see after the first use",
        "a compact shape that is easy to store",
    ],
    care: &[
        "Store in a cool, dry place.",
        "Keep out of reach of children and pets.",
        "Follow the directions on the label for best results.",
    ],
    audiences: &[
        "busy households",
        "pet owners",
        "renters",
        "families with kids",
        "anyone who hates chores",
    ],
    types: &[
        ProductType {
            noun: "microfiber mop",
            uses: &[
                "lifts dust and pet hair from hardwood and tile",
                "cleans floors with just water",
                "reaches under sofas with a swiveling head",
            ],
            price: (19, 69),
            variants: &["with 3 Washable Pads", "Spray Mop"],
            materials: &["an aluminum handle with microfiber pads"],
            ..T
        },
        ProductType {
            noun: "all-purpose cleaner",
            uses: &[
                "cuts through grease on counters and stovetops",
                "cleans kitchens and bathrooms without harsh fumes",
                "is safe on sealed stone, glass and stainless steel",
            ],
            price: (4, 15),
            sizes: &["16 oz", "32 oz", "1 gallon"],
            variants: &["Concentrate", "Refill Pack"],
            materials: &["plant-based cleaning agents"],
        },
        ProductType {
            noun: "cordless stick vacuum",
            uses: &[
                "picks up crumbs and pet hair in quick daily passes",
                "converts to a handheld for stairs and car seats",
                "runs up to 40 minutes on a charge",
            ],
            price: (99, 399),
            variants: &["with Wall Mount", "Pet Edition"],
            materials: &["lightweight ABS with an aluminum wand"],
            ..T
        },
        ProductType {
            noun: "microfiber cleaning cloth pack",
            uses: &[
                "wipes glass and mirrors streak-free",
                "traps dust instead of pushing it around",
                "replaces rolls of paper towels",
            ],
            price: (7, 24),
            sizes: &["12-Pack", "24-Pack", "50-Pack"],
            materials: &["split-fiber microfiber"],
            ..T
        },
        ProductType {
            noun: "toilet bowl brush",
            uses: &[
                "scrubs under the rim with angled bristles",
                "dries quickly in a ventilated caddy",
                "keeps the bathroom tidy between deep cleans",
            ],
            price: (8, 29),
            variants: &["with Caddy", "Silicone Bristles"],
            ..T
        },
        ProductType {
            noun: "laundry detergent",
            uses: &[
                "tackles grass, coffee and food stains in one load",
                "dissolves fully in cold water",
                "keeps laundry day simple with pre-measured pods",
            ],
            price: (9, 29),
            sizes: &["42 Pods", "81 Pods", "120 Pods"],
            variants: &["Free & Clear", "Sensitive Skin"],
            materials: &["plant-based cleaning agents"],
        },
        ProductType {
            noun: "scrub brush set",
            uses: &[
                "loosens baked-on grime from pots and grout",
                "gets into corners and tile lines",
                "handles tough jobs without scratching",
            ],
            price: (9, 29),
            sizes: &["3-Piece", "5-Piece"],
            variants: &["with Grout Brush"],
            ..T
        },
        ProductType {
            noun: "glass cleaner",
            uses: &[
                "leaves windows and mirrors streak-free",
                "cleans car windows and screens",
                "dries fast without a filmy residue",
            ],
            price: (4, 14),
            sizes: &["23 oz", "32 oz"],
            variants: &["Ammonia-Free", "Refill"],
            materials: &["plant-based cleaning agents"],
        },
        ProductType {
            noun: "robot vacuum",
            uses: &[
                "cleans floors on a schedule while you are out",
                "maps rooms and avoids stairs",
                "empties itself into a dock that holds weeks of dirt",
            ],
            price: (149, 699),
            variants: &["Self-Emptying", "with Mopping Pad"],
            materials: &["impact-resistant plastic"],
            ..T
        },
    ],
};

// ---------------------------------------------------------------- Home: bedding & bath
pub const BEDDING_BATH: Category = Category {
    name: "Bedding & Bath",
    code: "BED",
    looks: COLORS,
    looks_are_finishes: true,
    materials: &[
        "long-staple cotton",
        "Turkish cotton",
        "breathable linen",
        "bamboo-derived viscose",
        "brushed microfiber",
    ],
    features: &[
        "a soft, breathable weave",
        "OEKO-TEX certified fabric",
        "generous, true-to-size dimensions",
        "fade-resistant dyes",
        "reinforced double-stitched hems",
    ],
    care: &[
        "Machine wash cold and tumble dry low.",
        "Wash before first use for extra softness.",
        "Skip bleach and fabric softener to keep the fibers absorbent.",
    ],
    audiences: &[
        "hot sleepers",
        "guest rooms",
        "new homeowners",
        "college dorms",
        "anyone who loves a hotel-style bed",
    ],
    types: &[
        ProductType {
            noun: "sheet set",
            uses: &[
                "keeps hot sleepers cool through summer nights",
                "gets softer with every wash",
                "fits mattresses up to 16 inches deep",
            ],
            price: (39, 189),
            sizes: &["Twin", "Full", "Queen", "King"],
            variants: &["400 Thread Count", "Percale", "Sateen"],
            ..T
        },
        ProductType {
            noun: "duvet cover",
            uses: &[
                "refreshes the look of a bedroom in minutes",
                "protects a down comforter from everyday wear",
                "closes with hidden buttons that keep the insert in place",
            ],
            price: (49, 179),
            sizes: &["Twin", "Full/Queen", "King"],
            variants: &["with Pillow Shams"],
            ..T
        },
        ProductType {
            noun: "bath towel set",
            uses: &[
                "dries off quickly after a shower",
                "stays plush wash after wash",
                "adds a spa feel to an everyday bathroom",
            ],
            price: (24, 99),
            sizes: &["4-Piece", "6-Piece", "8-Piece"],
            variants: &["Quick-Dry", "Extra Absorbent"],
            ..T
        },
        ProductType {
            noun: "memory foam pillow",
            uses: &[
                "supports the neck for side and back sleepers",
                "holds its shape night after night",
                "eases morning stiffness",
            ],
            price: (29, 99),
            sizes: &["Standard", "Queen", "King"],
            variants: &["Cooling Gel", "Adjustable Fill"],
            materials: &["shredded memory foam with a bamboo-derived cover"],
        },
        ProductType {
            noun: "down alternative comforter",
            uses: &[
                "keeps you warm without the weight",
                "suits allergy sufferers who want a fluffy bed",
                "works year-round in most climates",
            ],
            price: (45, 159),
            sizes: &["Twin", "Full/Queen", "King"],
            variants: &["All-Season", "Lightweight"],
            ..T
        },
        ProductType {
            noun: "bath mat",
            uses: &[
                "soaks up water as you step out of the shower",
                "grips the floor so it will not slide",
                "dries fast between showers",
            ],
            price: (15, 49),
            sizes: &["17 x 24 in", "21 x 34 in"],
            variants: &["Non-Slip", "Memory Foam"],
            ..T
        },
        ProductType {
            noun: "weighted blanket",
            uses: &[
                "helps restless sleepers settle down at night",
                "adds calming pressure while you read or watch TV",
                "spreads weight evenly with small stitched pockets",
            ],
            price: (59, 199),
            sizes: &["12 lb", "15 lb", "20 lb"],
            variants: &["with Removable Cover"],
            ..T
        },
        ProductType {
            noun: "shower curtain",
            uses: &[
                "keeps water in the tub and the floor dry",
                "brightens up a plain bathroom",
                "resists mildew in humid rooms",
            ],
            price: (16, 59),
            sizes: &["72 x 72 in", "72 x 84 in"],
            variants: &["Water-Repellent", "with Hooks"],
            ..T
        },
        ProductType {
            noun: "mattress protector",
            uses: &[
                "shields the mattress from spills and sweat",
                "stays quiet instead of crinkling",
                "keeps dust mites and allergens out",
            ],
            price: (25, 89),
            sizes: &["Twin", "Full", "Queen", "King"],
            variants: &["Waterproof", "Cooling"],
            ..T
        },
    ],
};

// ---------------------------------------------------------------- Personal: beauty
pub const BEAUTY: Category = Category {
    name: "Beauty & Personal Care",
    code: "BTY",
    looks: &[
        "Unscented",
        "Rose",
        "Citrus",
        "Sandalwood",
        "Coconut",
        "Aloe",
        "Rose Gold",
        "Matte Black",
    ],
    looks_are_finishes: false,
    materials: &[
        "plant-based oils",
        "shea butter and vitamin E",
        "recyclable aluminum and glass",
        "hypoallergenic ingredients",
    ],
    features: &[
        "a travel-friendly size",
        "a sleek look that suits any bathroom counter",
        "cruelty-free testing standards",
        "a satisfaction guarantee",
        "packaging that is easy to recycle",
    ],
    care: &[
        "Store in a cool, dry place away from direct sunlight.",
        "Keep out of reach of children.",
        "Keep it clean and dry between uses.",
    ],
    audiences: &[
        "sensitive skin",
        "minimalist routines",
        "busy mornings",
        "frequent travelers",
        "anyone building a self-care routine",
    ],
    types: &[
        ProductType {
            noun: "daily moisturizer",
            uses: &[
                "hydrates dry skin without feeling greasy",
                "sits smoothly under sunscreen and makeup",
                "calms redness after shaving or cleansing",
            ],
            price: (9, 49),
            sizes: &["1.7 oz", "3.4 oz"],
            variants: &["SPF 30", "Oil-Free"],
            ..T
        },
        ProductType {
            noun: "electric toothbrush",
            uses: &[
                "removes more plaque than a manual brush",
                "times two minutes of brushing with quadrant alerts",
                "lasts weeks between charges on the road",
            ],
            price: (24, 149),
            variants: &["with Travel Case", "2 Brush Heads"],
            materials: &["water-resistant plastic with soft nylon bristles"],
            ..T
        },
        ProductType {
            noun: "hair dryer",
            uses: &[
                "dries thick hair quickly with less frizz",
                "protects hair with low-heat settings",
                "folds down to fit in a carry-on",
            ],
            price: (29, 249),
            variants: &["Ionic", "with Diffuser", "Travel Size"],
            materials: &["heat-resistant plastic with a ceramic heating element"],
            ..T
        },
        ProductType {
            noun: "face cleanser",
            uses: &[
                "washes away makeup and sunscreen without stripping skin",
                "leaves skin soft rather than tight",
                "is gentle enough for morning and night",
            ],
            price: (7, 34),
            sizes: &["5 oz", "8 oz", "16 oz"],
            variants: &["Foaming", "Cream", "for Sensitive Skin"],
            ..T
        },
        ProductType {
            noun: "shampoo and conditioner set",
            uses: &[
                "cleans hair while keeping color vibrant",
                "tames frizz on humid days",
                "leaves hair soft and easy to detangle",
            ],
            price: (12, 54),
            sizes: &["12 oz", "32 oz"],
            variants: &["Sulfate-Free", "Volumizing", "Moisturizing"],
            ..T
        },
        ProductType {
            noun: "safety razor",
            uses: &[
                "gives a close shave with less irritation",
                "cuts down on disposable plastic cartridges",
                "uses standard, inexpensive double-edge blades",
            ],
            price: (19, 69),
            variants: &["with 10 Blades", "with Stand"],
            materials: &["chrome-plated brass"],
            ..T
        },
        ProductType {
            noun: "lip balm set",
            uses: &[
                "soothes chapped lips in cold weather",
                "slips into a pocket or purse",
                "adds a hint of tint without feeling sticky",
            ],
            price: (5, 19),
            sizes: &["3-Pack", "6-Pack"],
            variants: &["SPF 15", "Tinted"],
            ..T
        },
        ProductType {
            noun: "makeup brush set",
            uses: &[
                "blends foundation, powder and blush smoothly",
                "picks up just enough product for a natural look",
                "stays soft after many washes",
            ],
            price: (12, 59),
            sizes: &["8-Piece", "12-Piece"],
            variants: &["with Travel Pouch", "Vegan Bristles"],
            materials: &["synthetic bristles with wooden handles"],
        },
        ProductType {
            noun: "body wash",
            uses: &[
                "lathers richly and rinses clean",
                "leaves skin soft after a hot shower",
                "is gentle enough for the whole family",
            ],
            price: (5, 24),
            sizes: &["16 oz", "32 oz"],
            variants: &["Moisturizing", "Exfoliating"],
            ..T
        },
    ],
};

// ---------------------------------------------------------------- Personal: health
pub const HEALTH: Category = Category {
    name: "Health & Wellness",
    code: "HLT",
    looks: &["White", "Gray", "Blue", "Black", "Sage Green", "Lavender"],
    looks_are_finishes: true,
    materials: &["durable, easy-to-clean materials", "BPA-free plastic"],
    features: &[
        "a latex-free design",
        "a simple design that anyone can use",
        "a two-year warranty",
        "a compact size that stores easily",
        "clear, easy-to-follow instructions",
    ],
    care: &[
        "Wipe clean with a soft, dry cloth.",
        "Read the included guide before first use.",
        "Store at room temperature between uses.",
    ],
    audiences: &[
        "older adults",
        "new parents",
        "home workouts",
        "recovery after long days",
        "people tracking their health at home",
    ],
    types: &[
        ProductType {
            noun: "digital thermometer",
            uses: &[
                "reads temperature in about ten seconds",
                "remembers the last reading for quick comparisons",
                "works for adults, kids and babies",
            ],
            price: (8, 49),
            variants: &["Forehead", "Oral and Underarm"],
            ..T
        },
        ProductType {
            noun: "blood pressure monitor",
            uses: &[
                "tracks blood pressure at home between doctor visits",
                "flags irregular heartbeats during a reading",
                "stores readings for two users",
            ],
            price: (29, 119),
            variants: &["Upper Arm", "Wrist", "with Bluetooth"],
            ..T
        },
        ProductType {
            noun: "massage gun",
            uses: &[
                "relieves sore muscles after workouts",
                "loosens tight shoulders after a day at a desk",
                "helps runners recover between training days",
            ],
            price: (49, 299),
            variants: &["with 6 Heads", "Mini"],
            materials: &["aluminum alloy with a silicone grip"],
            ..T
        },
        ProductType {
            noun: "weekly pill organizer",
            uses: &[
                "keeps morning and evening doses straight all week",
                "snaps shut so pills stay put in a bag",
                "makes it easy to see whether today's dose was taken",
            ],
            price: (5, 24),
            sizes: &["7-Day", "14-Day"],
            variants: &["AM/PM", "Large Compartments"],
            ..T
        },
        ProductType {
            noun: "first aid kit",
            uses: &[
                "covers cuts, scrapes and burns at home or in the car",
                "keeps supplies organized in labeled pockets",
                "fits under a sink or in a glove box",
            ],
            price: (14, 69),
            sizes: &["100-Piece", "250-Piece"],
            variants: &["Waterproof Case"],
            materials: &["a durable zippered nylon case"],
        },
        ProductType {
            noun: "heating pad",
            uses: &[
                "soothes back and neck pain",
                "eases cramps with steady, even warmth",
                "shuts off automatically after two hours",
            ],
            price: (19, 59),
            sizes: &["12 x 24 in", "20 x 24 in"],
            variants: &["Moist Heat Option"],
            materials: &["soft micro-plush fabric"],
        },
        ProductType {
            noun: "pulse oximeter",
            uses: &[
                "checks blood oxygen and pulse in seconds",
                "clips onto a fingertip without fuss",
                "helps keep tabs on health during a cold or flu",
            ],
            price: (15, 59),
            variants: &["with Lanyard"],
            ..T
        },
        ProductType {
            noun: "humidifier",
            uses: &[
                "adds moisture to dry winter air",
                "helps ease stuffy noses at night",
                "runs quietly enough for a bedroom",
            ],
            price: (25, 129),
            sizes: &["2.5-liter", "4-liter", "6-liter"],
            variants: &["Cool Mist", "with Essential Oil Tray"],
            ..T
        },
        ProductType {
            noun: "foam roller",
            uses: &[
                "works out knots in calves and back",
                "warms up muscles before a run",
                "helps with recovery on rest days",
            ],
            price: (14, 49),
            sizes: &["13-inch", "18-inch", "36-inch"],
            variants: &["High-Density", "Textured"],
            materials: &["high-density EVA foam"],
        },
    ],
};

// ---------------------------------------------------------------- Family: baby
pub const BABY: Category = Category {
    name: "Baby",
    code: "BAB",
    looks: &[
        "Sage Green",
        "Cloud Gray",
        "Oat",
        "Blush Pink",
        "Sky Blue",
        "Ivory",
        "Mustard",
    ],
    looks_are_finishes: true,
    materials: &["carefully tested, baby-safe materials"],
    features: &[
        "rounded edges and no small parts",
        "materials free of BPA, PVC and phthalates",
        "a design tested to current safety standards",
        "easy-clean surfaces",
        "a gift-ready box",
    ],
    care: &[
        "Check regularly for wear and replace if damaged.",
        "Always follow the included safety guidelines.",
        "Clean with mild soap and warm water.",
    ],
    audiences: &[
        "new parents",
        "baby showers",
        "growing toddlers",
        "grandparents who babysit",
        "families on the go",
    ],
    types: &[
        ProductType {
            noun: "swaddle blanket set",
            uses: &[
                "helps newborns feel snug and sleep longer",
                "doubles as a nursing cover or stroller shade",
                "breathes well on warm nights",
            ],
            price: (19, 59),
            sizes: &["2-Pack", "3-Pack", "4-Pack"],
            variants: &["Muslin"],
            materials: &["soft, breathable cotton muslin"],
        },
        ProductType {
            noun: "baby bottle set",
            uses: &[
                "reduces gas and colic with an anti-colic vent",
                "makes switching between breast and bottle easier",
                "is simple to clean with few parts",
            ],
            price: (14, 54),
            sizes: &["4 oz", "8 oz"],
            variants: &["Anti-Colic", "Slow Flow"],
            ..T
        },
        ProductType {
            noun: "baby monitor",
            uses: &[
                "lets parents check on a sleeping baby from any room",
                "shows a clear picture even in the dark",
                "alerts you when the baby stirs or cries",
            ],
            price: (39, 249),
            variants: &["with Night Vision", "Audio Only", "Split Screen"],
            materials: &["durable plastic"],
            ..T
        },
        ProductType {
            noun: "high chair",
            uses: &[
                "grows with your child from first foods to toddler meals",
                "folds flat to store beside the fridge",
                "has a tray that pops off for the sink",
            ],
            price: (49, 229),
            variants: &["Convertible", "Compact Fold"],
            ..T
        },
        ProductType {
            noun: "diaper bag backpack",
            uses: &[
                "holds bottles, diapers and a change of clothes for a full day out",
                "keeps hands free when carrying a baby",
                "has a fold-out changing pad for on-the-go changes",
            ],
            price: (29, 119),
            variants: &["with Stroller Straps", "Insulated Pockets"],
            materials: &["water-resistant polyester"],
            ..T
        },
        ProductType {
            noun: "teething toy",
            uses: &[
                "soothes sore gums during teething",
                "is easy for tiny hands to grip",
                "can be chilled in the fridge for extra relief",
            ],
            price: (5, 19),
            sizes: &["2-Pack", "3-Pack"],
            materials: &["food-grade silicone"],
            ..T
        },
        ProductType {
            noun: "baby carrier",
            uses: &[
                "keeps a baby close while you get things done",
                "spreads weight across hips and shoulders for long walks",
                "adjusts from newborn to toddler",
            ],
            price: (39, 179),
            variants: &["Ergonomic", "4-Position"],
            materials: &["breathable organic cotton"],
            ..T
        },
        ProductType {
            noun: "silicone bib set",
            uses: &[
                "catches spills and crumbs in a deep pocket",
                "wipes clean in seconds after meals",
                "adjusts to fit as your baby grows",
            ],
            price: (9, 24),
            sizes: &["2-Pack", "4-Pack"],
            variants: &["Adjustable"],
            materials: &["food-grade silicone"],
        },
        ProductType {
            noun: "play mat",
            uses: &[
                "gives babies a soft place for tummy time",
                "keeps toddlers cushioned on hard floors",
                "wipes clean after snacks and spills",
            ],
            price: (29, 129),
            sizes: &["Small", "Large"],
            variants: &["Foldable", "Reversible"],
            materials: &["non-toxic foam"],
        },
    ],
};

// ---------------------------------------------------------------- Family: pets
pub const PET_SUPPLIES: Category = Category {
    name: "Pet Supplies",
    code: "PET",
    looks: &[
        "Navy",
        "Red",
        "Forest Green",
        "Charcoal",
        "Tan",
        "Teal",
        "Orange",
        "Gray",
    ],
    looks_are_finishes: true,
    materials: &[
        "durable, pet-safe materials",
        "sturdy materials built for daily use",
    ],
    features: &[
        "non-toxic, pet-safe materials",
        "a design tested by real pets and their owners",
        "sturdy construction that stands up to daily use",
        "a satisfaction guarantee",
        "an easy-to-clean finish",
    ],
    care: &[
        "Clean regularly with mild soap and water.",
        "Inspect regularly and replace if damaged.",
        "Store in a dry place between uses.",
    ],
    audiences: &[
        "dog owners",
        "cat lovers",
        "new puppy homes",
        "senior pets",
        "multi-pet households",
    ],
    types: &[
        ProductType {
            noun: "dog leash",
            uses: &[
                "gives steady control on busy sidewalks",
                "keeps dogs visible on evening walks",
                "is comfortable to hold on long hikes",
            ],
            price: (9, 39),
            sizes: &["4 ft", "6 ft"],
            variants: &["Reflective", "Padded Handle"],
            materials: &["durable nylon webbing"],
        },
        ProductType {
            noun: "orthopedic dog bed",
            uses: &[
                "supports aging joints while your dog sleeps",
                "gives big dogs room to stretch out",
                "keeps pets off cold floors",
            ],
            price: (35, 179),
            sizes: &["Medium", "Large", "XL"],
            variants: &["with Bolster", "Waterproof Liner"],
            materials: &["memory foam with a removable microsuede cover"],
        },
        ProductType {
            noun: "cat scratching post",
            uses: &[
                "saves furniture from claws",
                "gives indoor cats a place to stretch",
                "doubles as a lookout perch",
            ],
            price: (19, 89),
            sizes: &["24-inch", "32-inch"],
            variants: &["with Dangling Toy"],
            materials: &["natural sisal rope"],
        },
        ProductType {
            noun: "slow feeder bowl",
            uses: &[
                "slows down dogs that gulp their food",
                "helps prevent bloating after meals",
                "turns mealtime into a little puzzle",
            ],
            price: (9, 29),
            sizes: &["2 Cups", "4 Cups"],
            variants: &["Non-Slip"],
            materials: &["food-safe, BPA-free plastic"],
        },
        ProductType {
            noun: "chew toy",
            uses: &[
                "keeps power chewers busy for hours",
                "helps clean teeth while dogs play",
                "bounces unpredictably for games of fetch",
            ],
            price: (6, 24),
            sizes: &["Small", "Medium", "Large"],
            variants: &["Treat-Dispensing"],
            materials: &["natural rubber"],
        },
        ProductType {
            noun: "clumping cat litter",
            uses: &[
                "locks in odors between scoopings",
                "forms firm clumps that lift out cleanly",
                "keeps dust low for sensitive noses",
            ],
            price: (9, 34),
            sizes: &["14 lb", "25 lb", "40 lb"],
            variants: &["Unscented", "Multi-Cat"],
            materials: &["natural clay"],
        },
        ProductType {
            noun: "pet carrier",
            uses: &[
                "keeps cats and small dogs calm at the vet",
                "fits under most airline seats",
                "opens from the top and front for easy loading",
            ],
            price: (29, 89),
            sizes: &["Small", "Medium"],
            variants: &["Airline Approved", "Expandable"],
            ..T
        },
        ProductType {
            noun: "grooming brush",
            uses: &[
                "removes loose undercoat during shedding season",
                "detangles mats without pulling",
                "leaves coats shiny and soft",
            ],
            price: (8, 34),
            variants: &["Self-Cleaning", "Deshedding"],
            ..T
        },
        ProductType {
            noun: "dog harness",
            uses: &[
                "stops pulling without choking",
                "stays comfortable on long walks",
                "clips on quickly with a front and back ring",
            ],
            price: (15, 54),
            sizes: &["Small", "Medium", "Large"],
            variants: &["No-Pull", "Reflective"],
            materials: &["padded, breathable mesh"],
        },
    ],
};

// ---------------------------------------------------------------- Family: toys
pub const TOYS_GAMES: Category = Category {
    name: "Toys & Games",
    code: "TOY",
    looks: &[
        "Rainbow",
        "Classic",
        "Deluxe",
        "Travel",
        "Junior",
        "Family Edition",
    ],
    looks_are_finishes: false,
    materials: &[
        "durable, child-safe materials",
        "non-toxic, kid-safe materials",
    ],
    features: &[
        "clear, illustrated instructions",
        "a sturdy storage box",
        "hours of replay value",
        "non-toxic materials",
        "a gift-ready box",
    ],
    care: &[
        "Wipe clean with a damp cloth.",
        "Keep small parts away from children under three.",
        "Surface wash only; do not submerge.",
    ],
    audiences: &[
        "family game nights",
        "curious kids",
        "birthday gifts",
        "rainy afternoons",
        "classrooms",
    ],
    types: &[
        ProductType {
            noun: "building block set",
            uses: &[
                "sparks creativity with endless build options",
                "builds fine motor skills in young kids",
                "keeps kids busy on rainy days",
            ],
            price: (14, 99),
            sizes: &["100-Piece", "250-Piece", "500-Piece"],
            variants: &["with Storage Bin"],
            materials: &["non-toxic, child-safe plastic"],
        },
        ProductType {
            noun: "jigsaw puzzle",
            uses: &[
                "makes a relaxing evening project",
                "brings the family together around the table",
                "ends with a picture worth framing",
            ],
            price: (12, 34),
            sizes: &["500-Piece", "1000-Piece", "1500-Piece"],
            variants: &["Landscape", "Vintage Map"],
            materials: &["thick recycled cardboard"],
        },
        ProductType {
            noun: "strategy board game",
            uses: &[
                "plays in about an hour with two to five players",
                "keeps teens and adults engaged on game night",
                "is easy to learn but rewards planning",
            ],
            price: (19, 69),
            variants: &["with Expansion", "2nd Edition"],
            ..T
        },
        ProductType {
            noun: "plush teddy bear",
            uses: &[
                "makes a cuddly bedtime companion",
                "is soft and safe for toddlers",
                "makes a classic gift for newborns",
            ],
            price: (9, 49),
            sizes: &["8-inch", "12-inch", "18-inch"],
            materials: &["soft plush fabric"],
            ..T
        },
        ProductType {
            noun: "remote control car",
            uses: &[
                "races across driveways and grass",
                "handles bumps and jumps without breaking",
                "gives older kids a fun reason to play outside",
            ],
            price: (24, 129),
            variants: &["Off-Road", "with 2 Batteries"],
            ..T
        },
        ProductType {
            noun: "wooden train set",
            uses: &[
                "lets toddlers design their own tracks",
                "works with most wooden track systems",
                "grows with add-on pieces over the years",
            ],
            price: (29, 119),
            sizes: &["50-Piece", "100-Piece"],
            variants: &["with Bridge"],
            materials: &["sustainably sourced wood"],
        },
        ProductType {
            noun: "card game",
            uses: &[
                "plays in fifteen minutes with friends",
                "fits in a pocket for travel",
                "gets everyone laughing at parties",
            ],
            price: (7, 24),
            variants: &["Party Edition", "Travel Tin"],
            materials: &["linen-finish cardstock"],
            ..T
        },
        ProductType {
            noun: "science experiment kit",
            uses: &[
                "teaches chemistry through hands-on experiments",
                "turns a kitchen table into a lab",
                "keeps curious kids learning during school breaks",
            ],
            price: (19, 59),
            variants: &["Crystal Growing", "Volcano"],
            ..T
        },
        ProductType {
            noun: "art easel",
            uses: &[
                "gives young artists a place to paint and draw",
                "has a chalkboard on one side and whiteboard on the other",
                "folds flat for storage",
            ],
            price: (34, 119),
            variants: &["Double-Sided", "with Paper Roll"],
            materials: &["sustainably sourced wood"],
            ..T
        },
    ],
};

// ---------------------------------------------------------------- Wearables: clothing
pub const CLOTHING: Category = Category {
    name: "Clothing",
    code: "CLO",
    looks: COLORS,
    looks_are_finishes: true,
    materials: &[
        "soft organic cotton",
        "a cotton-modal blend",
        "a recycled cotton blend",
    ],
    features: &[
        "a relaxed, everyday fit",
        "fabric that holds its color wash after wash",
        "reinforced stitching at stress points",
        "a tag-free label for all-day comfort",
        "a fit that keeps its shape",
    ],
    care: &[
        "Machine wash cold with like colors and tumble dry low.",
        "Wash inside out to keep the color rich.",
        "Lay flat to dry.",
    ],
    audiences: &[
        "everyday wear",
        "weekend errands",
        "layering in cooler weather",
        "travel",
        "office-casual days",
    ],
    types: &[
        ProductType {
            noun: "crew neck T-shirt",
            uses: &[
                "holds its shape after many washes",
                "layers easily under a jacket or sweater",
                "stays comfortable all day",
            ],
            price: (12, 39),
            sizes: &["S", "M", "L", "XL"],
            variants: &["2-Pack", "Slim Fit"],
            ..T
        },
        ProductType {
            noun: "rain jacket",
            uses: &[
                "keeps you dry on rainy commutes",
                "packs into its own pocket",
                "blocks wind on chilly hikes",
            ],
            price: (49, 189),
            sizes: &["S", "M", "L", "XL"],
            variants: &["Packable", "Hooded"],
            materials: &["waterproof, breathable nylon"],
        },
        ProductType {
            noun: "pullover hoodie",
            uses: &[
                "keeps you warm on cool evenings",
                "is soft enough for lounging at home",
                "layers over a tee for early morning runs",
            ],
            price: (29, 79),
            sizes: &["S", "M", "L", "XL"],
            variants: &["Fleece-Lined", "Relaxed Fit"],
            ..T
        },
        ProductType {
            noun: "slim-fit chinos",
            uses: &[
                "dresses up or down for office and weekend",
                "moves with you thanks to a hint of stretch",
                "resists wrinkles through a long day",
            ],
            price: (34, 89),
            sizes: &["30W", "32W", "34W", "36W"],
            variants: &["Stretch"],
            ..T
        },
        ProductType {
            noun: "merino wool sweater",
            uses: &[
                "stays warm without bulk",
                "regulates temperature from office to outdoors",
                "resists odors between washes",
            ],
            price: (59, 159),
            sizes: &["S", "M", "L", "XL"],
            variants: &["V-Neck", "Crew Neck"],
            materials: &["fine merino wool"],
        },
        ProductType {
            noun: "leggings",
            uses: &[
                "moves with you through yoga and errands",
                "stays opaque when you bend and stretch",
                "has a waistband that stays put",
            ],
            price: (19, 79),
            sizes: &["XS", "S", "M", "L"],
            variants: &["High-Waisted", "with Pockets"],
            materials: &["soft, four-way stretch nylon"],
        },
        ProductType {
            noun: "flannel shirt",
            uses: &[
                "keeps you cozy on fall weekends",
                "layers over a tee or under a vest",
                "gets softer with every wash",
            ],
            price: (24, 69),
            sizes: &["S", "M", "L", "XL"],
            variants: &["Plaid", "Relaxed Fit"],
            materials: &["brushed cotton flannel"],
        },
        ProductType {
            noun: "winter beanie",
            uses: &[
                "keeps ears warm on cold walks",
                "folds into a pocket when the sun comes out",
                "fits most head sizes comfortably",
            ],
            price: (9, 34),
            variants: &["Cuffed", "Fleece-Lined"],
            ..T
        },
        ProductType {
            noun: "wool hiking socks",
            uses: &[
                "keeps feet dry and blister-free on long hikes",
                "cushions the heel and toe",
                "stays warm even when damp",
            ],
            price: (12, 29),
            sizes: &["S", "M", "L"],
            variants: &["3-Pack", "Crew Length"],
            materials: &["merino wool blend"],
        },
    ],
};

// ---------------------------------------------------------------- Wearables: footwear
pub const FOOTWEAR: Category = Category {
    name: "Footwear",
    code: "FTW",
    looks: &[
        "Black", "White", "Navy", "Tan", "Olive", "Gray", "Chestnut", "Burgundy",
    ],
    looks_are_finishes: true,
    materials: &["durable, comfortable materials"],
    features: &[
        "a cushioned footbed",
        "a grippy rubber outsole",
        "a lightweight, flexible design",
        "a roomy toe box",
        "reinforced stitching",
    ],
    care: &[
        "Spot clean with a soft brush and mild soap.",
        "Let air dry away from direct heat.",
        "Store in a cool, dry place out of direct sunlight.",
    ],
    audiences: &[
        "all-day wear",
        "walkers and runners",
        "long shifts on your feet",
        "weekend adventures",
        "wide feet",
    ],
    types: &[
        ProductType {
            noun: "running shoes",
            uses: &[
                "cushions every stride on long runs",
                "keeps feet cool on hot days",
                "handles pavement and packed trails",
            ],
            price: (59, 179),
            sizes: &["Size 7", "Size 8", "Size 9", "Size 10", "Size 11"],
            variants: &["Wide", "Trail"],
            materials: &["breathable engineered mesh"],
        },
        ProductType {
            noun: "leather Chelsea boots",
            uses: &[
                "slips on and off without laces",
                "dresses up jeans or chinos",
                "holds up to years of wear",
            ],
            price: (89, 249),
            sizes: &["Size 8", "Size 9", "Size 10", "Size 11"],
            variants: &["Water-Resistant"],
            materials: &["full-grain leather"],
        },
        ProductType {
            noun: "hiking boots",
            uses: &[
                "keeps feet dry through creek crossings",
                "supports ankles on rocky trails",
                "grips wet rock and loose gravel",
            ],
            price: (79, 229),
            sizes: &["Size 8", "Size 9", "Size 10", "Size 11"],
            variants: &["Waterproof", "Mid-Cut"],
            materials: &["waterproof leather and mesh"],
        },
        ProductType {
            noun: "canvas sneakers",
            uses: &[
                "goes with almost any casual outfit",
                "feels broken in from day one",
                "is light enough for summer days",
            ],
            price: (29, 79),
            sizes: &["Size 6", "Size 7", "Size 8", "Size 9", "Size 10"],
            variants: &["Low-Top", "High-Top"],
            materials: &["cotton canvas with a vulcanized rubber sole"],
        },
        ProductType {
            noun: "slide sandals",
            uses: &[
                "slips on for the pool, beach or gym shower",
                "dries quickly after getting wet",
                "cushions tired feet after a workout",
            ],
            price: (14, 59),
            sizes: &["S", "M", "L", "XL"],
            variants: &["Cushioned"],
            materials: &["soft EVA foam"],
        },
        ProductType {
            noun: "house slippers",
            uses: &[
                "keeps feet warm on cold floors",
                "has a sole sturdy enough to grab the mail",
                "feels like a soft hug after a long day",
            ],
            price: (15, 59),
            sizes: &["S", "M", "L", "XL"],
            variants: &["Memory Foam", "Fleece-Lined"],
            materials: &["soft faux shearling"],
        },
        ProductType {
            noun: "work boots",
            uses: &[
                "protects toes on job sites",
                "stays comfortable through twelve-hour shifts",
                "resists oil and slips on shop floors",
            ],
            price: (89, 229),
            sizes: &["Size 8", "Size 9", "Size 10", "Size 11", "Size 12"],
            variants: &["Steel Toe", "Composite Toe"],
            materials: &["oil-tanned leather"],
        },
        ProductType {
            noun: "leather loafers",
            uses: &[
                "looks sharp at the office or a wedding",
                "slips on easily on busy mornings",
                "molds to your feet over time",
            ],
            price: (69, 199),
            sizes: &["Size 8", "Size 9", "Size 10", "Size 11"],
            variants: &["Penny", "Suede"],
            materials: &["polished calf leather"],
        },
        ProductType {
            noun: "rain boots",
            uses: &[
                "keeps feet dry in puddles and mud",
                "pulls on quickly for garden chores",
                "rinses clean with a hose",
            ],
            price: (29, 99),
            sizes: &["Size 6", "Size 7", "Size 8", "Size 9", "Size 10"],
            variants: &["Ankle Height", "Tall"],
            materials: &["natural rubber"],
        },
    ],
};

// ---------------------------------------------------------------- Active: sports & fitness
pub const SPORTS_FITNESS: Category = Category {
    name: "Sports & Fitness",
    code: "SPT",
    looks: COLORS,
    looks_are_finishes: true,
    materials: &["durable, sweat-resistant materials"],
    features: &[
        "sweat-resistant materials",
        "a design tested by trainers and athletes",
        "sturdy construction for years of workouts",
        "a satisfaction guarantee",
        "a compact shape that stores easily",
    ],
    care: &[
        "Wipe down with a damp cloth after workouts.",
        "Store out of direct sunlight to prevent fading.",
        "Let dry fully before rolling or storing.",
    ],
    audiences: &[
        "home gyms",
        "beginners",
        "runners",
        "small apartments",
        "anyone starting a fitness routine",
    ],
    types: &[
        ProductType {
            noun: "yoga mat",
            uses: &[
                "cushions knees and wrists during long flows",
                "grips the floor even in hot yoga",
                "rolls up small enough to carry to class",
            ],
            price: (19, 99),
            sizes: &["4 mm", "6 mm", "8 mm"],
            variants: &["Non-Slip", "with Carry Strap"],
            materials: &["natural tree rubber"],
        },
        ProductType {
            noun: "adjustable dumbbell",
            uses: &[
                "replaces a full rack of weights in one compact set",
                "switches weight in seconds between exercises",
                "makes strength training at home practical",
            ],
            price: (79, 399),
            sizes: &["25 lb", "50 lb", "90 lb"],
            variants: &["with Stand"],
            materials: &["steel plates with a molded plastic casing"],
        },
        ProductType {
            noun: "resistance band set",
            uses: &[
                "adds strength training to any workout, anywhere",
                "helps with physical therapy and mobility work",
                "packs flat in a suitcase",
            ],
            price: (12, 44),
            sizes: &["5-Piece", "11-Piece"],
            variants: &["with Door Anchor", "Fabric"],
            materials: &["natural latex"],
        },
        ProductType {
            noun: "jump rope",
            uses: &[
                "delivers a fast cardio workout in a small space",
                "helps boxers and runners build footwork",
                "adjusts to any height",
            ],
            price: (8, 34),
            variants: &["Weighted", "Speed"],
            materials: &["steel cable with foam handles"],
            ..T
        },
        ProductType {
            noun: "kettlebell",
            uses: &[
                "builds full-body strength with swings and squats",
                "sits flat on the floor without rolling",
                "fits neatly in a corner of a home gym",
            ],
            price: (19, 129),
            sizes: &["15 lb", "25 lb", "35 lb", "45 lb"],
            variants: &["Vinyl-Coated"],
            materials: &["solid cast iron"],
        },
        ProductType {
            noun: "basketball",
            uses: &[
                "holds its grip on indoor and outdoor courts",
                "keeps a consistent bounce game after game",
                "suits pickup games and practice drills",
            ],
            price: (19, 69),
            sizes: &["Size 6", "Size 7"],
            variants: &["Indoor/Outdoor"],
            materials: &["composite leather"],
        },
        ProductType {
            noun: "insulated water bottle",
            uses: &[
                "keeps water cold through long workouts",
                "fits in most bike cages and cup holders",
                "survives drops on the gym floor",
            ],
            price: (14, 44),
            sizes: &["18 oz", "24 oz", "32 oz"],
            variants: &["with Straw Lid", "Wide Mouth"],
            materials: &["vacuum-insulated stainless steel"],
        },
        ProductType {
            noun: "pull-up bar",
            uses: &[
                "mounts in a doorway without screws",
                "builds back and arm strength at home",
                "comes down in seconds when you are done",
            ],
            price: (24, 79),
            variants: &["Doorway", "Multi-Grip"],
            materials: &["powder-coated steel"],
            ..T
        },
        ProductType {
            noun: "tennis racket",
            uses: &[
                "gives beginners a forgiving sweet spot",
                "adds easy power to groundstrokes",
                "feels light and fast at the net",
            ],
            price: (29, 219),
            sizes: &["Grip 2", "Grip 3", "Grip 4"],
            variants: &["Pre-Strung", "with Cover"],
            materials: &["lightweight graphite composite"],
        },
    ],
};

// ---------------------------------------------------------------- Active: camping & hiking
pub const CAMPING_HIKING: Category = Category {
    name: "Camping & Hiking",
    code: "CMP",
    looks: &[
        "Forest Green",
        "Desert Tan",
        "Slate Gray",
        "Burnt Orange",
        "Navy",
        "Olive",
        "Glacier Blue",
    ],
    looks_are_finishes: true,
    materials: &[
        "lightweight, trail-tested materials",
        "durable, weather-resistant materials",
    ],
    features: &[
        "ultralight construction",
        "a packable design",
        "weather-resistant materials",
        "a lifetime repair guarantee",
        "trail-tested durability",
    ],
    care: &[
        "Dry completely before storing to prevent mildew.",
        "Spot clean with mild soap; do not machine wash.",
        "Store loosely in a cool, dry place.",
    ],
    audiences: &[
        "backpackers",
        "weekend campers",
        "scout troops",
        "car campers",
        "first-time hikers",
    ],
    types: &[
        ProductType {
            noun: "backpacking tent",
            uses: &[
                "sets up in minutes after a long day on the trail",
                "keeps you dry through overnight storms",
                "packs small enough for a multi-day trek",
            ],
            price: (99, 449),
            sizes: &["1-Person", "2-Person", "3-Person"],
            variants: &["Freestanding", "Ultralight"],
            materials: &["ripstop nylon with aluminum poles"],
        },
        ProductType {
            noun: "sleeping bag",
            uses: &[
                "keeps you warm on chilly mountain nights",
                "compresses small for backpacking",
                "unzips into a blanket on warm evenings",
            ],
            price: (39, 299),
            sizes: &["20°F", "30°F", "40°F"],
            variants: &["Mummy", "Rectangular"],
            materials: &["recycled polyester with synthetic insulation"],
        },
        ProductType {
            noun: "hiking daypack",
            uses: &[
                "carries water, layers and snacks on day hikes",
                "keeps your back cool with a ventilated frame",
                "holds a hydration reservoir for hands-free sipping",
            ],
            price: (39, 149),
            sizes: &["18L", "24L", "30L"],
            variants: &["with Rain Cover", "Hydration Compatible"],
            materials: &["ripstop nylon"],
        },
        ProductType {
            noun: "camp stove",
            uses: &[
                "boils water for coffee in under four minutes",
                "cooks full meals at the campsite",
                "lights reliably in wind with a push-button igniter",
            ],
            price: (29, 149),
            variants: &["Two-Burner", "Backpacking"],
            materials: &["stainless steel and aluminum"],
            ..T
        },
        ProductType {
            noun: "LED headlamp",
            uses: &[
                "lights the trail on pre-dawn starts",
                "leaves hands free for setting up camp",
                "switches to red light to protect night vision",
            ],
            price: (14, 69),
            variants: &["Rechargeable", "Waterproof"],
            ..T
        },
        ProductType {
            noun: "trekking poles",
            uses: &[
                "takes strain off knees on steep descents",
                "adds stability on river crossings",
                "collapses to strap onto a pack",
            ],
            price: (29, 149),
            variants: &["Collapsible", "Cork Grip"],
            materials: &["aircraft-grade aluminum", "carbon fiber"],
            ..T
        },
        ProductType {
            noun: "sleeping pad",
            uses: &[
                "insulates you from the cold ground",
                "inflates in a few breaths",
                "cushions hips and shoulders for side sleepers",
            ],
            price: (29, 179),
            sizes: &["Regular", "Long", "Wide"],
            variants: &["Self-Inflating", "Insulated"],
            materials: &["ripstop nylon"],
        },
        ProductType {
            noun: "water filter",
            uses: &[
                "makes stream water safe to drink",
                "screws onto standard water bottles",
                "weighs almost nothing in a pack",
            ],
            price: (19, 99),
            variants: &["Squeeze", "Gravity-Fed"],
            ..T
        },
        ProductType {
            noun: "camping chair",
            uses: &[
                "gives you a comfortable seat around the campfire",
                "folds into a compact bag",
                "holds a drink in the armrest",
            ],
            price: (24, 119),
            variants: &["with Cup Holder", "Low-Profile"],
            materials: &["powder-coated steel with a polyester seat"],
            ..T
        },
    ],
};

// ---------------------------------------------------------------- Outdoors: garden
pub const GARDEN_OUTDOOR: Category = Category {
    name: "Garden & Outdoor",
    code: "GRD",
    looks: &[
        "Forest Green",
        "Terracotta",
        "Charcoal",
        "Sand",
        "Natural",
        "Matte Black",
        "Blue",
    ],
    looks_are_finishes: true,
    materials: &["weatherproof, outdoor-rated materials"],
    features: &[
        "UV-resistant materials that will not fade",
        "weatherproof construction",
        "a design that stands up to every season",
        "easy setup",
        "a two-year warranty",
    ],
    care: &[
        "Rinse with a garden hose and let dry.",
        "Store indoors over winter to extend its life.",
        "Clean off dirt and debris at the end of the season.",
    ],
    audiences: &[
        "weekend gardeners",
        "balcony gardens",
        "backyard entertainers",
        "beginners growing their first vegetables",
        "homeowners",
    ],
    types: &[
        ProductType {
            noun: "garden hose",
            uses: &[
                "waters the whole yard without kinking",
                "stays flexible in cold weather",
                "coils neatly onto a reel",
            ],
            price: (24, 99),
            sizes: &["25 ft", "50 ft", "100 ft"],
            variants: &["Kink-Free", "Expandable"],
            materials: &["flexible, kink-resistant rubber"],
        },
        ProductType {
            noun: "pruning shears",
            uses: &[
                "makes clean cuts that help plants heal",
                "trims roses and shrubs with less effort",
                "handles branches up to three-quarters of an inch",
            ],
            price: (12, 54),
            variants: &["Bypass", "Ratcheting"],
            materials: &["hardened carbon steel blades"],
            ..T
        },
        ProductType {
            noun: "raised garden bed",
            uses: &[
                "grows vegetables without digging up the lawn",
                "saves your back at planting time",
                "warms up early in spring for a longer season",
            ],
            price: (49, 249),
            sizes: &["4 x 2 ft", "4 x 4 ft", "8 x 4 ft"],
            variants: &["Elevated", "Modular"],
            materials: &["FSC-certified cedar", "galvanized steel"],
        },
        ProductType {
            noun: "ceramic planter",
            uses: &[
                "shows off houseplants on a sunny windowsill",
                "drains well to keep roots healthy",
                "looks just as good on a patio",
            ],
            price: (14, 79),
            sizes: &["6-inch", "8-inch", "12-inch"],
            variants: &["with Drainage Saucer", "Set of 2"],
            materials: &["glazed ceramic"],
        },
        ProductType {
            noun: "solar path lights",
            uses: &[
                "lights walkways at night without wiring",
                "charges all day in the sun",
                "turns on automatically at dusk",
            ],
            price: (19, 69),
            sizes: &["6-Pack", "8-Pack", "12-Pack"],
            variants: &["Warm White"],
            materials: &["weatherproof resin and stainless steel"],
        },
        ProductType {
            noun: "wheelbarrow",
            uses: &[
                "moves soil, mulch and stone around the yard",
                "rolls easily over grass with a pneumatic tire",
                "handles heavy loads without tipping",
            ],
            price: (69, 199),
            sizes: &["4 cu ft", "6 cu ft"],
            variants: &["Dual-Wheel"],
            materials: &["powder-coated steel"],
        },
        ProductType {
            noun: "patio umbrella",
            uses: &[
                "shades the table on sunny afternoons",
                "tilts to follow the sun",
                "opens and closes with an easy crank",
            ],
            price: (49, 199),
            sizes: &["7.5 ft", "9 ft", "11 ft"],
            variants: &["with Tilt", "Cantilever"],
            materials: &["fade-resistant polyester with an aluminum pole"],
        },
        ProductType {
            noun: "bird feeder",
            uses: &[
                "brings songbirds to your window",
                "keeps seed dry in the rain",
                "is easy to fill and clean",
            ],
            price: (14, 69),
            variants: &["Squirrel-Proof", "Hanging"],
            materials: &["weatherproof resin"],
            ..T
        },
        ProductType {
            noun: "garden kneeler",
            uses: &[
                "saves knees during weeding and planting",
                "flips over into a handy bench",
                "helps you get up and down with sturdy handles",
            ],
            price: (24, 69),
            variants: &["with Tool Pouches"],
            materials: &["powder-coated steel with a foam pad"],
            ..T
        },
    ],
};

// ---------------------------------------------------------------- Outdoors: tools & hardware
pub const TOOLS_HARDWARE: Category = Category {
    name: "Tools & Hardware",
    code: "TLS",
    looks: &["Yellow", "Red", "Orange", "Matte Black", "Blue", "Graphite"],
    looks_are_finishes: true,
    materials: &[
        "jobsite-tough materials",
        "durable, professional-grade materials",
    ],
    features: &[
        "a rubberized anti-slip grip",
        "a lifetime warranty",
        "jobsite-tough construction",
        "a design tested by professional tradespeople",
        "a storage-friendly shape",
    ],
    care: &[
        "Wipe clean and store dry to prevent rust.",
        "Store in a dry place out of the weather.",
        "Keep it clean and it will last for decades.",
    ],
    audiences: &[
        "DIYers",
        "homeowners",
        "contractors",
        "first toolboxes",
        "weekend projects",
    ],
    types: &[
        ProductType {
            noun: "cordless drill",
            uses: &[
                "drives screws and drills holes in wood, metal and drywall",
                "hangs shelves and assembles furniture in minutes",
                "runs a full afternoon of projects on one charge",
            ],
            price: (49, 229),
            variants: &["with 2 Batteries", "Brushless", "Kit with Case"],
            ..T
        },
        ProductType {
            noun: "claw hammer",
            uses: &[
                "drives nails without jarring your wrist",
                "pulls nails cleanly with a curved claw",
                "balances well for all-day framing",
            ],
            price: (12, 49),
            sizes: &["16 oz", "20 oz"],
            variants: &["Fiberglass Handle", "Anti-Vibe"],
            materials: &["forged steel"],
        },
        ProductType {
            noun: "socket wrench set",
            uses: &[
                "handles most car and household repairs",
                "reaches bolts in tight spaces with a slim ratchet",
                "keeps every socket organized in a labeled case",
            ],
            price: (29, 179),
            sizes: &["40-Piece", "108-Piece", "200-Piece"],
            variants: &["SAE and Metric"],
            materials: &["chrome vanadium steel"],
        },
        ProductType {
            noun: "tape measure",
            uses: &[
                "stands out far for one-person measuring",
                "locks in place for accurate marking",
                "survives drops on the job site",
            ],
            price: (8, 34),
            sizes: &["16 ft", "25 ft", "35 ft"],
            variants: &["Magnetic Tip"],
            materials: &["a high-impact case with a steel blade"],
        },
        ProductType {
            noun: "screwdriver set",
            uses: &[
                "covers almost every screw around the house",
                "grips small electronics screws with precision tips",
                "stores neatly in a compact stand",
            ],
            price: (12, 59),
            sizes: &["8-Piece", "12-Piece", "32-Piece"],
            variants: &["Magnetic", "Insulated"],
            materials: &["chrome vanadium steel with cushioned grips"],
        },
        ProductType {
            noun: "stud finder",
            uses: &[
                "locates studs before hanging heavy mirrors",
                "detects live wires behind drywall",
                "takes the guesswork out of mounting a TV",
            ],
            price: (14, 59),
            variants: &["with Laser Level"],
            ..T
        },
        ProductType {
            noun: "circular saw",
            uses: &[
                "rips plywood and cuts framing lumber quickly",
                "makes straight, clean crosscuts",
                "tackles deck and fence projects",
            ],
            price: (59, 249),
            sizes: &["6-1/2-inch", "7-1/4-inch"],
            variants: &["Cordless", "with Laser Guide"],
            ..T
        },
        ProductType {
            noun: "rolling tool box",
            uses: &[
                "keeps tools organized and easy to move",
                "rolls from the garage to the driveway",
                "locks to keep tools secure",
            ],
            price: (39, 189),
            sizes: &["18-inch", "22-inch", "26-inch"],
            variants: &["with Removable Tray"],
            ..T
        },
        ProductType {
            noun: "laser level",
            uses: &[
                "lines up picture frames and shelves perfectly",
                "projects a straight line across a whole room",
                "speeds up tile and backsplash layouts",
            ],
            price: (24, 149),
            variants: &["Self-Leveling", "Cross-Line"],
            ..T
        },
    ],
};

// ---------------------------------------------------------------- Outdoors: automotive
pub const AUTOMOTIVE: Category = Category {
    name: "Automotive",
    code: "AUT",
    looks: &["Black", "Gray", "Beige", "Red", "Carbon Fiber Look", "Blue"],
    looks_are_finishes: true,
    materials: &["durable, automotive-grade materials"],
    features: &[
        "a one-year warranty",
        "road-tested durability",
        "a compact shape that stores in the trunk",
        "a design made for daily driving",
        "easy setup",
    ],
    care: &[
        "Wipe down with a microfiber cloth.",
        "Store in a cool, dry place when not in use.",
        "Read the instructions before first use.",
    ],
    audiences: &[
        "daily commuters",
        "road trips",
        "new drivers",
        "families with car seats",
        "rideshare drivers",
    ],
    types: &[
        ProductType {
            noun: "all-weather floor mat set",
            uses: &[
                "traps mud, snow and spilled coffee",
                "protects carpet in family cars",
                "hoses clean in seconds",
            ],
            price: (29, 149),
            sizes: &["2-Piece", "4-Piece"],
            variants: &["Trim-to-Fit", "Heavy Duty"],
            materials: &["heavy-duty, odor-free TPE"],
        },
        ProductType {
            noun: "portable jump starter",
            uses: &[
                "starts a dead battery without a second car",
                "charges phones in a roadside pinch",
                "lights up the engine bay with a built-in flashlight",
            ],
            price: (49, 179),
            variants: &["with USB-C", "1500A Peak"],
            ..T
        },
        ProductType {
            noun: "dash cam",
            uses: &[
                "records the road in case of an accident",
                "keeps an eye on a parked car",
                "captures clear video at night",
            ],
            price: (39, 219),
            variants: &["Front and Rear", "4K", "with Night Vision"],
            ..T
        },
        ProductType {
            noun: "phone mount",
            uses: &[
                "holds a phone steady for navigation",
                "mounts to the vent or dash in seconds",
                "frees up hands for safer driving",
            ],
            price: (12, 49),
            variants: &["Magnetic", "Wireless Charging"],
            ..T
        },
        ProductType {
            noun: "tire inflator",
            uses: &[
                "tops up tire pressure in a few minutes",
                "shuts off automatically at the set pressure",
                "inflates bike tires and sports balls too",
            ],
            price: (29, 99),
            variants: &["Cordless", "12V Plug-In"],
            ..T
        },
        ProductType {
            noun: "car trunk organizer",
            uses: &[
                "stops groceries from rolling around",
                "keeps emergency gear in one spot",
                "folds flat when you need the space",
            ],
            price: (19, 59),
            sizes: &["2-Compartment", "3-Compartment"],
            variants: &["Collapsible", "with Cooler"],
            materials: &["durable polyester"],
        },
        ProductType {
            noun: "windshield sun shade",
            uses: &[
                "keeps the cabin cooler on hot days",
                "protects the dashboard from cracking and fading",
                "folds up small for the door pocket",
            ],
            price: (12, 39),
            sizes: &["Standard", "Large", "XL"],
            variants: &["Foldable"],
            materials: &["reflective, heat-blocking fabric"],
        },
        ProductType {
            noun: "car wash kit",
            uses: &[
                "gives a showroom shine at home",
                "lifts dirt without scratching paint",
                "includes everything for a full weekend wash",
            ],
            price: (24, 79),
            sizes: &["6-Piece", "9-Piece"],
            variants: &["with Bucket"],
            ..T
        },
        ProductType {
            noun: "seat cover set",
            uses: &[
                "protects upholstery from pets and kids",
                "gives an older car a fresh interior",
                "wipes clean after spills",
            ],
            price: (29, 119),
            sizes: &["Front Pair", "Full Set"],
            variants: &["Waterproof"],
            materials: &["water-resistant neoprene"],
        },
    ],
};

// ---------------------------------------------------------------- Tech: electronics
pub const ELECTRONICS: Category = Category {
    name: "Electronics",
    code: "ELE",
    looks: &[
        "Black",
        "White",
        "Midnight Blue",
        "Silver",
        "Graphite",
        "Sage Green",
        "Rose Gold",
    ],
    looks_are_finishes: true,
    materials: &[
        "durable, premium materials",
        "recycled plastic and aluminum",
    ],
    features: &[
        "a two-year warranty",
        "a compact, travel-friendly design",
        "simple setup in minutes",
        "a design built around everyday use",
        "reliable performance tested over thousands of hours",
    ],
    care: &[
        "Keep away from water and extreme heat.",
        "Clean with a soft, dry cloth.",
        "Unplug or power off before cleaning.",
    ],
    audiences: &[
        "remote workers",
        "students",
        "commuters",
        "gamers",
        "frequent travelers",
    ],
    types: &[
        ProductType {
            noun: "wireless earbuds",
            uses: &[
                "blocks out noise on flights and trains",
                "stays secure during runs and workouts",
                "handles clear calls with built-in microphones",
            ],
            price: (29, 249),
            variants: &["Noise Cancelling", "with Charging Case"],
            ..T
        },
        ProductType {
            noun: "portable Bluetooth speaker",
            uses: &[
                "fills a backyard with rich sound",
                "survives splashes at the pool",
                "plays for hours on a single charge",
            ],
            price: (24, 199),
            variants: &["Waterproof", "with Carabiner"],
            ..T
        },
        ProductType {
            noun: "power bank",
            uses: &[
                "charges a phone several times on a trip",
                "tops up a laptop between meetings",
                "fits easily in a jacket pocket",
            ],
            price: (19, 99),
            sizes: &["10000mAh", "20000mAh", "26800mAh"],
            variants: &["Slim", "with Built-In Cable"],
            ..T
        },
        ProductType {
            noun: "USB-C charger",
            uses: &[
                "charges a laptop and phone at the same time",
                "replaces a drawer full of bricks",
                "folds its prongs flat for travel",
            ],
            price: (15, 69),
            sizes: &["30W", "65W", "100W"],
            variants: &["2-Port", "GaN"],
            ..T
        },
        ProductType {
            noun: "wireless mouse",
            uses: &[
                "tracks smoothly on almost any surface",
                "fits comfortably in the hand through long workdays",
                "switches between three devices with a button",
            ],
            price: (14, 99),
            variants: &["Ergonomic", "Silent Click"],
            ..T
        },
        ProductType {
            noun: "mechanical keyboard",
            uses: &[
                "makes typing feel crisp and satisfying",
                "connects by cable or Bluetooth",
                "handles long gaming sessions",
            ],
            price: (49, 199),
            variants: &["Tenkeyless", "Hot-Swappable", "Backlit"],
            ..T
        },
        ProductType {
            noun: "HD webcam",
            uses: &[
                "makes video calls look sharp and bright",
                "adjusts to dim home offices",
                "clips onto any monitor or laptop",
            ],
            price: (29, 149),
            sizes: &["1080p", "4K"],
            variants: &["with Privacy Cover", "with Ring Light"],
            ..T
        },
        ProductType {
            noun: "noise-cancelling headphones",
            uses: &[
                "quiets airplane engines and office chatter",
                "stays comfortable through long listening sessions",
                "folds flat into a slim case",
            ],
            price: (59, 349),
            variants: &["Over-Ear", "with Travel Case"],
            ..T
        },
        ProductType {
            noun: "smart plug",
            uses: &[
                "turns lamps and fans on with a voice command",
                "sets schedules so lights come on while you are away",
                "tracks how much energy an appliance uses",
            ],
            price: (9, 39),
            sizes: &["1-Pack", "2-Pack", "4-Pack"],
            variants: &["Mini", "Outdoor"],
            ..T
        },
    ],
};

// ---------------------------------------------------------------- Work: office supplies
pub const OFFICE_SUPPLIES: Category = Category {
    name: "Office Supplies",
    code: "OFF",
    looks: &[
        "Black",
        "White",
        "Navy",
        "Clear",
        "Assorted Colors",
        "Gray",
        "Pastel",
    ],
    looks_are_finishes: true,
    materials: &[
        "durable, recycled materials",
        "sturdy, long-lasting materials",
    ],
    features: &[
        "a sleek, minimal look",
        "sturdy construction for daily use",
        "a satisfaction guarantee",
        "a design that keeps your workspace tidy",
        "a look that fits home and corporate offices",
    ],
    care: &[
        "Wipe clean with a dry cloth.",
        "Store away from direct sunlight and moisture.",
        "Store in a dry place.",
    ],
    audiences: &[
        "home offices",
        "students",
        "small businesses",
        "teachers",
        "anyone tidying a cluttered desk",
    ],
    types: &[
        ProductType {
            noun: "gel pen set",
            uses: &[
                "writes smoothly without skipping",
                "dries fast so left-handers avoid smudges",
                "adds color to notes and planners",
            ],
            price: (6, 24),
            sizes: &["12-Pack", "24-Pack", "36-Pack"],
            variants: &["Fine Point", "Retractable"],
            materials: &["recycled plastic barrels"],
        },
        ProductType {
            noun: "desk organizer",
            uses: &[
                "keeps pens, sticky notes and clips within reach",
                "clears clutter from a busy workspace",
                "holds a phone upright during calls",
            ],
            price: (12, 49),
            variants: &["with Drawer", "5-Compartment"],
            materials: &["bamboo", "powder-coated steel mesh"],
            ..T
        },
        ProductType {
            noun: "stapler",
            uses: &[
                "staples up to forty sheets with little effort",
                "rarely jams with a front-loading tray",
                "stays put on the desk with a rubber base",
            ],
            price: (8, 39),
            variants: &["Heavy Duty", "with 1000 Staples"],
            materials: &["die-cast metal"],
            ..T
        },
        ProductType {
            noun: "sticky note pack",
            uses: &[
                "keeps reminders where you will see them",
                "marks pages in textbooks and reports",
                "sticks and re-sticks without leaving residue",
            ],
            price: (4, 19),
            sizes: &["12 Pads", "24 Pads"],
            variants: &["Super Sticky", "Lined"],
            materials: &["recycled paper"],
        },
        ProductType {
            noun: "ergonomic office chair",
            uses: &[
                "supports the lower back through long workdays",
                "adjusts to fit most heights and desks",
                "keeps you cool with a breathable mesh back",
            ],
            price: (99, 449),
            variants: &["with Headrest", "with Flip-Up Arms"],
            materials: &["breathable mesh and a steel frame"],
            ..T
        },
        ProductType {
            noun: "monitor stand",
            uses: &[
                "raises the screen to eye level to ease neck strain",
                "frees up desk space underneath for a keyboard",
                "adds a drawer for small supplies",
            ],
            price: (19, 79),
            variants: &["with Drawer", "Adjustable Height"],
            ..T
        },
        ProductType {
            noun: "paper shredder",
            uses: &[
                "destroys bank statements and old tax forms",
                "cuts credit cards safely",
                "runs quietly in a home office",
            ],
            price: (39, 199),
            sizes: &["8-Sheet", "12-Sheet", "16-Sheet"],
            variants: &["Cross-Cut", "Micro-Cut"],
            ..T
        },
        ProductType {
            noun: "dry erase whiteboard",
            uses: &[
                "keeps the week's plans visible to everyone",
                "erases cleanly without ghosting",
                "helps teams sketch ideas in meetings",
            ],
            price: (19, 99),
            sizes: &["24 x 18 in", "36 x 24 in", "48 x 36 in"],
            variants: &["Magnetic", "with Marker Tray"],
            materials: &["a melamine surface with an aluminum frame"],
        },
        ProductType {
            noun: "label maker",
            uses: &[
                "labels pantry jars, cables and folders",
                "prints crisp labels in seconds",
                "makes a garage or office easy to navigate",
            ],
            price: (24, 79),
            variants: &["Bluetooth", "with 2 Tape Cassettes"],
            ..T
        },
    ],
};

// ---------------------------------------------------------------- Home: lighting
pub const LIGHTING: Category = Category {
    name: "Lighting",
    code: "LGT",
    looks: FINISHES,
    looks_are_finishes: true,
    materials: &["quality metal and glass", "powder-coated steel"],
    features: &[
        "energy-efficient LED technology",
        "warm white light that is easy on the eyes",
        "a straightforward setup",
        "a design that suits modern and traditional rooms",
        "a two-year warranty",
    ],
    care: &[
        "Dust with a soft, dry cloth.",
        "Switch off before cleaning.",
        "Turn off and let cool before handling.",
    ],
    audiences: &[
        "reading nooks",
        "living rooms",
        "home offices",
        "bedrooms",
        "small apartments",
    ],
    types: &[
        ProductType {
            noun: "LED desk lamp",
            uses: &[
                "reduces eye strain during late-night work",
                "adjusts brightness and color for reading or video calls",
                "charges a phone through a built-in USB port",
            ],
            price: (19, 89),
            variants: &["with USB Port", "Clamp-On"],
            ..T
        },
        ProductType {
            noun: "floor lamp",
            uses: &[
                "brightens a dim corner of the living room",
                "casts warm, even light for reading",
                "fits beside a sofa or armchair",
            ],
            price: (39, 249),
            variants: &["Arc", "with Reading Light"],
            ..T
        },
        ProductType {
            noun: "pendant light",
            uses: &[
                "hangs over a kitchen island or dining table",
                "adds a warm focal point to a room",
                "works with standard ceiling boxes",
            ],
            price: (39, 229),
            sizes: &["10-inch", "14-inch", "18-inch"],
            variants: &["Adjustable Cord"],
            ..T
        },
        ProductType {
            noun: "smart LED bulb",
            uses: &[
                "changes color and brightness from your phone",
                "wakes you up gently with a sunrise schedule",
                "uses a fraction of the energy of an old bulb",
            ],
            price: (9, 49),
            sizes: &["1-Pack", "2-Pack", "4-Pack"],
            variants: &["Color", "Tunable White"],
            materials: &["energy-efficient LED components"],
        },
        ProductType {
            noun: "string lights",
            uses: &[
                "adds a cozy glow to patios and balconies",
                "brightens a dorm room or bedroom wall",
                "stays lit through rain and wind",
            ],
            price: (12, 59),
            sizes: &["25 ft", "48 ft", "100 ft"],
            variants: &["Outdoor", "Warm White"],
            materials: &["weatherproof, shatter-resistant bulbs"],
        },
        ProductType {
            noun: "table lamp",
            uses: &[
                "gives soft bedside light for reading",
                "adds warmth to a console or side table",
                "turns on with a simple touch",
            ],
            price: (24, 149),
            variants: &["Set of 2", "Touch Control"],
            ..T
        },
        ProductType {
            noun: "under-cabinet light bar",
            uses: &[
                "lights up counters for chopping and prep",
                "turns on with a wave of the hand",
                "sticks on without any wiring",
            ],
            price: (15, 69),
            sizes: &["12-inch", "18-inch", "24-inch"],
            variants: &["Motion Sensor", "Rechargeable"],
            materials: &["slim aluminum"],
        },
        ProductType {
            noun: "plug-in night light",
            uses: &[
                "guides late-night trips to the bathroom",
                "comforts kids who are afraid of the dark",
                "turns on automatically at dusk",
            ],
            price: (7, 24),
            sizes: &["2-Pack", "4-Pack", "6-Pack"],
            variants: &["Dusk-to-Dawn", "Dimmable"],
            materials: &["cool-touch plastic"],
        },
        ProductType {
            noun: "vanity light fixture",
            uses: &[
                "gives even light for shaving and makeup",
                "updates a dated bathroom in an afternoon",
                "resists humidity in steamy rooms",
            ],
            price: (39, 179),
            sizes: &["2-Light", "3-Light", "4-Light"],
            ..T
        },
    ],
};

// ---------------------------------------------------------------- Food: grocery & pantry
pub const GROCERY_PANTRY: Category = Category {
    name: "Grocery & Pantry",
    code: "GRO",
    looks: &[
        "Organic",
        "Family Size",
        "Value Pack",
        "Small Batch",
        "Non-GMO",
        "Gluten-Free",
    ],
    looks_are_finishes: false,
    materials: &[
        "simple, recognizable ingredients",
        "sustainably sourced ingredients",
        "certified organic ingredients",
    ],
    features: &[
        "no artificial colors or flavors",
        "recyclable packaging",
        "a recipe idea on the label",
        "quality testing on every batch",
        "ingredients traceable to the farm",
    ],
    care: &[
        "Store in a cool, dry pantry.",
        "Close tightly after opening.",
        "Check the label for storage tips after opening.",
    ],
    audiences: &[
        "busy households",
        "everyday cooking",
        "stocking up the pantry",
        "thoughtful food gifts",
        "anyone who cares what is in their food",
    ],
    types: &[
        ProductType {
            noun: "whole bean coffee",
            uses: &[
                "brews a smooth, chocolatey cup every morning",
                "tastes great in espresso or drip",
                "stays fresh with a one-way valve bag",
            ],
            price: (9, 24),
            sizes: &["12 oz", "2 lb"],
            variants: &["Medium Roast", "Dark Roast", "Decaf"],
            ..T
        },
        ProductType {
            noun: "extra virgin olive oil",
            uses: &[
                "finishes salads and pasta with a peppery note",
                "handles everyday sautéing",
                "makes a simple bread dip with salt and pepper",
            ],
            price: (8, 34),
            sizes: &["500 ml", "1 liter"],
            variants: &["Cold-Pressed", "Single Origin"],
            ..T
        },
        ProductType {
            noun: "rolled oats",
            uses: &[
                "makes a hearty breakfast in five minutes",
                "works in cookies, granola and overnight oats",
                "keeps you full until lunch",
            ],
            price: (4, 14),
            sizes: &["18 oz", "42 oz"],
            variants: &["Old-Fashioned", "Quick Cook"],
            ..T
        },
        ProductType {
            noun: "trail mix",
            uses: &[
                "keeps energy up on hikes and road trips",
                "makes an easy desk snack",
                "packs into lunchboxes without melting",
            ],
            price: (5, 19),
            sizes: &["10 oz", "26 oz"],
            variants: &["Sweet & Salty", "Nut-Free"],
            ..T
        },
        ProductType {
            noun: "pasta sauce",
            uses: &[
                "turns a box of pasta into dinner in ten minutes",
                "simmers slowly for a homemade taste",
                "works as a base for lasagna and pizza",
            ],
            price: (3, 12),
            sizes: &["24 oz", "2-Pack"],
            variants: &["Marinara", "Tomato Basil", "Arrabbiata"],
            ..T
        },
        ProductType {
            noun: "green tea",
            uses: &[
                "brews a light, refreshing cup in three minutes",
                "makes a calm afternoon pick-me-up",
                "tastes great iced in summer",
            ],
            price: (4, 19),
            sizes: &["20 Bags", "100 Bags"],
            variants: &["Jasmine", "Matcha Blend", "Loose Leaf"],
            ..T
        },
        ProductType {
            noun: "raw honey",
            uses: &[
                "sweetens tea, yogurt and toast",
                "adds floral depth to marinades and dressings",
                "soothes a scratchy throat",
            ],
            price: (7, 29),
            sizes: &["12 oz", "16 oz", "32 oz"],
            variants: &["Wildflower", "Clover", "Unfiltered"],
            ..T
        },
        ProductType {
            noun: "dark chocolate bar",
            uses: &[
                "satisfies a sweet tooth with less sugar",
                "melts smoothly for baking",
                "pairs well with coffee or red wine",
            ],
            price: (3, 12),
            sizes: &["3.5 oz", "6-Pack"],
            variants: &["Sea Salt", "70% Cacao", "Almond"],
            ..T
        },
        ProductType {
            noun: "protein granola",
            uses: &[
                "adds crunch to yogurt and smoothie bowls",
                "works as a grab-and-go snack",
                "keeps you fueled through busy mornings",
            ],
            price: (5, 16),
            sizes: &["11 oz", "22 oz"],
            variants: &["Honey Almond", "Dark Chocolate"],
            ..T
        },
    ],
};

// ---------------------------------------------------------------- Travel & luggage
pub const TRAVEL_LUGGAGE: Category = Category {
    name: "Travel & Luggage",
    code: "TRV",
    looks: &[
        "Black", "Navy", "Charcoal", "Olive", "Sand", "Burgundy", "Silver",
    ],
    looks_are_finishes: true,
    materials: &["durable, travel-tested materials"],
    features: &[
        "a lifetime warranty",
        "water-resistant materials",
        "a lightweight design that saves on baggage weight",
        "travel-tested durability",
        "a look that holds up trip after trip",
    ],
    care: &[
        "Wipe the shell with a damp cloth.",
        "Spot clean fabric with mild soap and water.",
        "Store empty with zippers closed.",
    ],
    audiences: &[
        "frequent flyers",
        "weekend getaways",
        "business trips",
        "family vacations",
        "backpacking trips abroad",
    ],
    types: &[
        ProductType {
            noun: "carry-on suitcase",
            uses: &[
                "fits in most overhead bins",
                "packs a week of clothes with compression straps",
                "glides easily through busy airports",
            ],
            price: (79, 349),
            sizes: &["20-inch", "22-inch"],
            variants: &["Hardside", "Expandable", "with USB Port"],
            materials: &["lightweight polycarbonate"],
        },
        ProductType {
            noun: "checked luggage",
            uses: &[
                "holds everything for a two-week trip",
                "survives rough handling at baggage claim",
                "expands for souvenirs on the way home",
            ],
            price: (99, 399),
            sizes: &["26-inch", "28-inch", "30-inch"],
            variants: &["Hardside", "Spinner"],
            materials: &["impact-resistant polycarbonate"],
        },
        ProductType {
            noun: "packing cube set",
            uses: &[
                "keeps a suitcase organized from the first day to the last",
                "separates clean clothes from dirty",
                "compresses bulky sweaters",
            ],
            price: (15, 49),
            sizes: &["4-Piece", "6-Piece"],
            variants: &["Compression"],
            materials: &["lightweight ripstop nylon"],
        },
        ProductType {
            noun: "travel backpack",
            uses: &[
                "opens like a suitcase for easy packing",
                "counts as a personal item on most airlines",
                "carries comfortably on long walks between trains",
            ],
            price: (49, 229),
            sizes: &["30L", "35L", "40L"],
            variants: &["with Laptop Sleeve", "Anti-Theft"],
            materials: &["water-resistant ballistic nylon"],
        },
        ProductType {
            noun: "neck pillow",
            uses: &[
                "supports your head on overnight flights",
                "stops the head bob on long bus rides",
                "squishes small into a carry-on",
            ],
            price: (12, 49),
            variants: &["Memory Foam", "Inflatable"],
            materials: &["memory foam with a washable velour cover"],
            ..T
        },
        ProductType {
            noun: "toiletry bag",
            uses: &[
                "keeps toothbrush and creams organized",
                "hangs from a hook in tiny hotel bathrooms",
                "contains spills so they stay off your clothes",
            ],
            price: (12, 49),
            variants: &["Hanging", "with Clear Pouch"],
            materials: &["water-resistant nylon"],
            ..T
        },
        ProductType {
            noun: "universal travel adapter",
            uses: &[
                "works in more than 150 countries",
                "charges a phone, tablet and laptop at once",
                "replaces a bag of country-specific plugs",
            ],
            price: (15, 49),
            variants: &["with USB-C", "4-Port"],
            materials: &["fire-resistant plastic"],
            ..T
        },
        ProductType {
            noun: "weekender duffel bag",
            uses: &[
                "carries everything for a long weekend away",
                "slides over a suitcase handle",
                "has a separate pocket for shoes",
            ],
            price: (39, 179),
            sizes: &["35L", "45L"],
            variants: &["with Shoe Compartment"],
            materials: &["waxed canvas", "full-grain leather"],
        },
        ProductType {
            noun: "RFID passport wallet",
            uses: &[
                "keeps passports, cards and boarding passes together",
                "blocks card skimming in crowded places",
                "slips into a jacket pocket",
            ],
            price: (12, 49),
            variants: &["with Pen Holder"],
            materials: &["full-grain leather"],
            ..T
        },
    ],
};

// ---------------------------------------------------------------- Home: furniture
pub const FURNITURE: Category = Category {
    name: "Furniture",
    code: "FUR",
    looks: FINISHES,
    looks_are_finishes: true,
    materials: &[
        "solid acacia wood",
        "engineered wood with a walnut veneer",
        "powder-coated steel",
        "kiln-dried hardwood",
    ],
    features: &[
        "easy assembly with all tools included",
        "felt pads that protect floors",
        "anti-tip hardware for safety",
        "a stain-resistant finish",
        "a minimalist design that fits any room",
    ],
    care: &[
        "Dust with a soft cloth; avoid harsh cleaners.",
        "Use coasters to protect the finish.",
        "Tighten the hardware after the first few weeks.",
    ],
    audiences: &[
        "small apartments",
        "growing families",
        "home offices",
        "first homes",
        "guest rooms",
    ],
    types: &[
        ProductType {
            noun: "bookshelf",
            uses: &[
                "holds books, plants and photos in one place",
                "turns an empty wall into display space",
                "fits in narrow spaces beside a desk",
            ],
            price: (49, 249),
            sizes: &["3-Shelf", "5-Shelf"],
            variants: &["Ladder Style", "with Doors"],
            ..T
        },
        ProductType {
            noun: "coffee table",
            uses: &[
                "anchors the living room with a warm, natural look",
                "stores remotes and magazines on a lower shelf",
                "lifts to a comfortable height for laptop work",
            ],
            price: (79, 399),
            variants: &["Lift-Top", "with Storage Shelf", "Round"],
            ..T
        },
        ProductType {
            noun: "standing desk",
            uses: &[
                "switches from sitting to standing at the press of a button",
                "remembers preferred heights for two users",
                "holds two monitors without wobbling",
            ],
            price: (199, 699),
            sizes: &["48 x 24 in", "55 x 28 in", "60 x 30 in"],
            variants: &["Electric", "Dual Motor"],
            ..T
        },
        ProductType {
            noun: "accent chair",
            uses: &[
                "adds a cozy reading seat to a bedroom corner",
                "brings color to a neutral living room",
                "seats guests comfortably",
            ],
            price: (129, 499),
            variants: &["Swivel", "Mid-Century"],
            materials: &["a hardwood frame with performance fabric"],
            ..T
        },
        ProductType {
            noun: "nightstand",
            uses: &[
                "keeps a lamp, phone and book within reach at bedtime",
                "hides clutter in a soft-close drawer",
                "fits beside beds of any height",
            ],
            price: (49, 229),
            variants: &["with Drawer", "with Charging Station", "Set of 2"],
            ..T
        },
        ProductType {
            noun: "dining table",
            uses: &[
                "seats four to six for family dinners",
                "extends for holiday gatherings",
                "doubles as a work-from-home desk",
            ],
            price: (199, 899),
            sizes: &["4-Seat", "6-Seat"],
            variants: &["Extendable", "Farmhouse"],
            ..T
        },
        ProductType {
            noun: "shoe rack",
            uses: &[
                "keeps entryway shoes neat and off the floor",
                "fits in closets and under benches",
                "stacks to grow with your collection",
            ],
            price: (24, 99),
            sizes: &["3-Tier", "4-Tier", "5-Tier"],
            variants: &["Stackable", "with Bench"],
            ..T
        },
        ProductType {
            noun: "TV stand",
            uses: &[
                "holds TVs up to 65 inches",
                "hides cables and consoles behind sliding doors",
                "adds storage for games and movies",
            ],
            price: (89, 399),
            sizes: &["55-inch", "65-inch", "70-inch"],
            variants: &["with Sliding Doors", "Corner"],
            ..T
        },
        ProductType {
            noun: "storage ottoman",
            uses: &[
                "hides blankets and toys under a padded lid",
                "doubles as extra seating for guests",
                "works as a footrest in front of a sofa",
            ],
            price: (39, 149),
            variants: &["Folding", "Tufted"],
            materials: &["a wood frame with linen-look upholstery"],
            ..T
        },
    ],
};

// ---------------------------------------------------------------- Hobbies: arts & crafts
pub const ARTS_CRAFTS: Category = Category {
    name: "Arts & Crafts",
    code: "ART",
    looks: &[
        "Assorted Colors",
        "Pastel",
        "Neon",
        "Earth Tones",
        "Metallic",
        "Studio",
    ],
    looks_are_finishes: false,
    materials: &["quality, non-toxic materials"],
    features: &[
        "a sturdy case for storage and travel",
        "non-toxic materials safe for kids",
        "a beginner's guide with project ideas",
        "artist-tested quality",
        "a gift-ready box",
    ],
    care: &[
        "Store in a cool, dry place.",
        "Supervise young children during use.",
        "Clean up spills right away with warm water.",
    ],
    audiences: &[
        "beginners",
        "art students",
        "kids' craft afternoons",
        "hobbyists",
        "teachers",
    ],
    types: &[
        ProductType {
            noun: "acrylic paint set",
            uses: &[
                "covers canvas, wood and rocks in one coat",
                "dries quickly so layers build fast",
                "mixes easily into custom shades",
            ],
            price: (12, 59),
            sizes: &["12 Colors", "24 Colors", "48 Colors"],
            variants: &["with Brushes"],
            materials: &["non-toxic, lightfast pigments"],
        },
        ProductType {
            noun: "sketchbook",
            uses: &[
                "holds pencil, ink and light marker work",
                "lies flat for drawing across the spread",
                "travels well for sketching outdoors",
            ],
            price: (8, 34),
            sizes: &["A5", "A4", "9 x 12 in"],
            variants: &["Hardcover", "Spiral-Bound"],
            materials: &["heavyweight, acid-free drawing paper"],
        },
        ProductType {
            noun: "colored pencil set",
            uses: &[
                "layers and blends smoothly for detailed drawings",
                "works for adult coloring books and illustration",
                "sharpens without breaking",
            ],
            price: (9, 69),
            sizes: &["24 Colors", "48 Colors", "72 Colors"],
            variants: &["Watercolor", "in Tin Case"],
            materials: &["cedar wood casings with soft pigment cores"],
        },
        ProductType {
            noun: "knitting kit",
            uses: &[
                "teaches beginners to knit a first scarf",
                "includes everything to finish a cozy project",
                "makes a relaxing evening hobby",
            ],
            price: (19, 59),
            variants: &["Beginner", "with Bamboo Needles"],
            materials: &["soft merino yarn"],
            ..T
        },
        ProductType {
            noun: "hot glue gun",
            uses: &[
                "bonds fabric, wood and plastic in seconds",
                "handles holiday decorations and school projects",
                "heats up in about three minutes",
            ],
            price: (9, 34),
            variants: &["Cordless", "with 30 Glue Sticks"],
            materials: &["heat-resistant plastic"],
            ..T
        },
        ProductType {
            noun: "watercolor paint set",
            uses: &[
                "creates soft, glowing washes of color",
                "packs into a palette for painting outdoors",
                "rewets easily even after drying",
            ],
            price: (12, 79),
            sizes: &["12 Colors", "24 Colors", "36 Colors"],
            variants: &["with Water Brush"],
            materials: &["non-toxic, lightfast pigments"],
        },
        ProductType {
            noun: "stretched canvas pack",
            uses: &[
                "comes ready to paint without priming",
                "suits acrylics and oils alike",
                "hangs straight on a wall when finished",
            ],
            price: (14, 49),
            sizes: &["8 x 10 in", "11 x 14 in", "16 x 20 in"],
            variants: &["5-Pack", "10-Pack"],
            materials: &["triple-primed cotton canvas"],
        },
        ProductType {
            noun: "cutting mat",
            uses: &[
                "protects tables during craft and sewing projects",
                "heals itself after every cut",
                "has grid lines for straight, accurate cuts",
            ],
            price: (9, 39),
            sizes: &["12 x 18 in", "18 x 24 in", "24 x 36 in"],
            variants: &["Self-Healing", "Double-Sided"],
            materials: &["self-healing PVC"],
        },
        ProductType {
            noun: "embroidery starter kit",
            uses: &[
                "guides beginners through their first patterns",
                "makes a calming project for quiet evenings",
                "turns into a handmade gift",
            ],
            price: (12, 39),
            variants: &["Floral", "with Hoops"],
            materials: &["cotton fabric and floss"],
            ..T
        },
    ],
};

// ---------------------------------------------------------------- Hobbies: musical instruments
pub const MUSICAL_INSTRUMENTS: Category = Category {
    name: "Musical Instruments",
    code: "MUS",
    looks: &[
        "Natural",
        "Sunburst",
        "Black",
        "White",
        "Cherry Red",
        "Vintage",
        "Tobacco Burst",
    ],
    looks_are_finishes: true,
    materials: &["solid spruce", "mahogany", "maple", "durable ABS"],
    features: &[
        "factory setup for easy playability",
        "a lightweight design",
        "a two-year warranty",
        "quality control by experienced technicians",
        "a finish that holds up to years of playing",
    ],
    care: &[
        "Wipe down after playing to protect the finish.",
        "Store away from heaters and damp basements.",
        "Keep it in its case or on a stand when not in use.",
    ],
    audiences: &[
        "beginners",
        "students",
        "gigging musicians",
        "family jam sessions",
        "players returning to music",
    ],
    types: &[
        ProductType {
            noun: "acoustic guitar",
            uses: &[
                "sounds warm and full around a campfire",
                "plays comfortably for beginners with low action",
                "stays in tune through long practice sessions",
            ],
            price: (99, 599),
            sizes: &["Dreadnought", "Concert", "3/4 Size"],
            variants: &["with Gig Bag", "Cutaway"],
            ..T
        },
        ProductType {
            noun: "electric guitar",
            uses: &[
                "covers clean jazz tones and crunchy rock riffs",
                "feels light on the shoulder during long sets",
                "plugs straight into any practice amp",
            ],
            price: (149, 799),
            variants: &["with Amp Kit", "Humbucker"],
            ..T
        },
        ProductType {
            noun: "digital piano",
            uses: &[
                "feels like an acoustic piano with weighted keys",
                "lets you practice silently with headphones",
                "fits in an apartment without a piano's footprint",
            ],
            price: (299, 999),
            sizes: &["61-Key", "88-Key"],
            variants: &["with Stand", "Portable"],
            materials: &["a sturdy wood-grain cabinet"],
        },
        ProductType {
            noun: "ukulele",
            uses: &[
                "makes a fun first instrument for all ages",
                "travels easily to the beach or campsite",
                "plays happy chords after one lesson",
            ],
            price: (29, 199),
            sizes: &["Soprano", "Concert", "Tenor"],
            variants: &["with Gig Bag"],
            ..T
        },
        ProductType {
            noun: "cajón drum",
            uses: &[
                "brings rhythm to acoustic sessions",
                "doubles as a seat",
                "suits small rooms where a drum kit will not fit",
            ],
            price: (69, 229),
            variants: &["with Snare Wires", "with Padded Seat"],
            materials: &["birch plywood"],
            ..T
        },
        ProductType {
            noun: "guitar amplifier",
            uses: &[
                "delivers practice-room volume in a compact box",
                "adds built-in effects without pedals",
                "has a headphone jack for quiet practice",
            ],
            price: (59, 349),
            sizes: &["10W", "20W", "40W"],
            variants: &["with Bluetooth"],
            materials: &["a sturdy wooden cabinet"],
        },
        ProductType {
            noun: "keyboard stand",
            uses: &[
                "holds keyboards at a comfortable playing height",
                "folds flat for gigs",
                "stays steady during energetic playing",
            ],
            price: (24, 79),
            variants: &["Double-X", "Adjustable"],
            materials: &["powder-coated steel"],
            ..T
        },
        ProductType {
            noun: "harmonica",
            uses: &[
                "fits in a pocket for music anywhere",
                "plays blues and folk right out of the box",
                "makes a great first instrument",
            ],
            price: (14, 69),
            sizes: &["Key of C", "Key of G", "Key of A"],
            variants: &["Diatonic", "with Case"],
            materials: &["stainless steel covers and brass reeds"],
        },
        ProductType {
            noun: "violin outfit",
            uses: &[
                "gives students everything they need for lessons",
                "produces a sweet, clear tone",
                "arrives set up and ready to play",
            ],
            price: (99, 499),
            sizes: &["1/2 Size", "3/4 Size", "4/4 Size"],
            variants: &["with Case and Bow"],
            materials: &["solid spruce and maple"],
        },
    ],
};

// ---------------------------------------------------------------- Hobbies: books & stationery
pub const BOOKS_STATIONERY: Category = Category {
    name: "Books & Stationery",
    code: "BKS",
    looks: &[
        "Black",
        "Navy",
        "Forest Green",
        "Burgundy",
        "Kraft",
        "Linen",
        "Blush",
    ],
    looks_are_finishes: true,
    materials: &[
        "acid-free paper",
        "FSC-certified paper",
        "vegan leather",
        "recycled cardstock",
    ],
    features: &[
        "thoughtful design details",
        "a gift-ready look",
        "quality that holds up to daily use",
        "sustainably sourced materials",
        "a satisfaction guarantee",
    ],
    care: &[
        "Keep away from moisture and direct sunlight.",
        "Store upright on a shelf.",
        "Wipe the cover with a dry cloth.",
    ],
    audiences: &[
        "journalers",
        "students",
        "planners and list-makers",
        "book lovers",
        "gift-giving",
    ],
    types: &[
        ProductType {
            noun: "dotted journal",
            uses: &[
                "works for bullet journaling and sketching",
                "keeps plans, lists and notes in one place",
                "handles fountain pens without bleed-through",
            ],
            price: (9, 34),
            sizes: &["A5", "B5", "Pocket"],
            variants: &["Hardcover", "160 Pages"],
            ..T
        },
        ProductType {
            noun: "weekly planner",
            uses: &[
                "keeps appointments and goals on track all year",
                "shows the whole week at a glance",
                "makes space for habit tracking",
            ],
            price: (12, 39),
            sizes: &["A5", "Pocket"],
            variants: &["Undated", "Hardcover"],
            ..T
        },
        ProductType {
            noun: "cookbook",
            uses: &[
                "teaches weeknight recipes with everyday ingredients",
                "walks new cooks through the basics",
                "inspires weekend baking projects",
            ],
            price: (14, 39),
            variants: &["Hardcover", "Paperback", "Spiral-Bound"],
            materials: &["heavy, wipeable coated paper"],
            ..T
        },
        ProductType {
            noun: "fountain pen",
            uses: &[
                "makes everyday writing smooth and expressive",
                "refills from bottled ink or cartridges",
                "makes a lasting gift for writers",
            ],
            price: (15, 149),
            sizes: &["Fine Nib", "Medium Nib"],
            variants: &["with Converter"],
            materials: &["lacquered brass", "resin"],
        },
        ProductType {
            noun: "hardcover notebook",
            uses: &[
                "holds meeting notes and to-do lists",
                "stands up to being tossed in a bag",
                "opens flat on the desk",
            ],
            price: (8, 29),
            sizes: &["A5", "A4"],
            variants: &["Lined", "Grid", "Blank"],
            ..T
        },
        ProductType {
            noun: "greeting card assortment",
            uses: &[
                "keeps a card on hand for every birthday and thank-you",
                "saves last-minute trips to the store",
                "pairs each card with a matching envelope",
            ],
            price: (9, 29),
            sizes: &["12 Cards", "24 Cards", "40 Cards"],
            variants: &["Blank Inside"],
            materials: &["heavy recycled cardstock"],
        },
        ProductType {
            noun: "mystery novel",
            uses: &[
                "keeps you turning pages late into the night",
                "makes a perfect beach or plane read",
                "suits book club discussions",
            ],
            price: (9, 29),
            variants: &["Paperback", "Hardcover", "Large Print"],
            materials: &["acid-free paper"],
            ..T
        },
        ProductType {
            noun: "wall calendar",
            uses: &[
                "keeps the whole family's schedule in view",
                "has large boxes for writing appointments",
                "brightens a kitchen wall every month",
            ],
            price: (9, 24),
            sizes: &["12 x 12 in", "Large"],
            variants: &["Academic Year", "Botanical"],
            ..T
        },
        ProductType {
            noun: "bookends set",
            uses: &[
                "keeps books upright on shelves and desks",
                "holds heavy cookbooks without sliding",
                "adds a decorative touch to a bookshelf",
            ],
            price: (12, 49),
            variants: &["Heavy Duty", "Geometric"],
            materials: &["powder-coated steel", "marble"],
            ..T
        },
    ],
};

/// Every category, in a fixed order. The generator draws indexes into this
/// list (and into every pool above), so any edit to the data changes the
/// catalog a given seed produces; that is fine, but snapshot-style tests
/// elsewhere must not hard-code generated values.
pub const CATEGORIES: &[Category] = &[
    KITCHEN,
    BEAUTY,
    TOOLS_HARDWARE,
    GARDEN_OUTDOOR,
    SPORTS_FITNESS,
    TOYS_GAMES,
    BABY,
    PET_SUPPLIES,
    OFFICE_SUPPLIES,
    ELECTRONICS,
    HOME_CLEANING,
    BEDDING_BATH,
    AUTOMOTIVE,
    HEALTH,
    CAMPING_HIKING,
    CLOTHING,
    FOOTWEAR,
    GROCERY_PANTRY,
    TRAVEL_LUGGAGE,
    ARTS_CRAFTS,
    MUSICAL_INSTRUMENTS,
    FURNITURE,
    LIGHTING,
    BOOKS_STATIONERY,
];
