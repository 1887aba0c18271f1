-- Demo data for the SQL Server schema in schema.sql: synthetic patients,
-- prescribers, pharmacies, drugs, prescriptions with their refill claims,
-- prior authorizations, the formulary, PHI access log entries and a commerce
-- sample. No real person is in it.
--
-- The rows are generated set-based on the server, so no client is needed.
-- Every draw comes from SHA2_256 of the table name and the row number, so the
-- same UTC date gives the same rows. Claims run from 2025-01-01 to today
-- (UTC), across the monthly partitions. The shares follow the PostgreSQL
-- generator (engine/seed/generator.py): 8 % of claims rejected, 15 % of
-- today's pending, 2.5 % of earlier ones reversed, 80 % generic drugs.
--
-- The file is one batch. It loads nothing when dbo.warroom_meta already has
-- a seed_version, and raises an error when the tables hold other rows, so a
-- rerun never doubles the data. The load is one transaction.
--
-- TODO: run schema.sql and seed.sql on a live SQL Server 2022; so far they
-- are only parsed by sqlfluff's tsql dialect.

SET NOCOUNT ON;
SET XACT_ABORT ON;

IF EXISTS (SELECT 1 FROM dbo.warroom_meta WHERE [key] = N'seed_version')
BEGIN
    PRINT N'seed.sql: the demo data is already loaded; nothing changed.';
    RETURN;
END;

IF EXISTS (SELECT 1 FROM healthcare.patients)
    OR EXISTS (SELECT 1 FROM healthcare.pharmacy_claims)
    OR EXISTS (SELECT 1 FROM commerce.orders)
BEGIN
    THROW 50001,
        N'seed.sql: the demo tables already hold rows that seed.sql did not load. Load the demo data into an empty database.',
        1;
END;

DECLARE @today date = CAST(SYSUTCDATETIME() AS date);
DECLARE @history_start date = '2025-01-01';
DECLARE @history_days int = DATEDIFF(DAY, @history_start, @today) + 1;
DECLARE @provider_count int = 300;
DECLARE @pharmacy_count int = 120;
DECLARE @patient_count int = 2000;
DECLARE @prescription_count int = 4000;
DECLARE @customer_count int = 1000;
DECLARE @order_count int = 2500;
-- 2^32: a draw r from 4 hash bytes is uniform on [0, 2^32), so
-- r < share * @draw_range is true with probability share.
DECLARE @draw_range bigint = 4294967296;

-- Reference lists, numbered from 0 so that a draw modulo the count picks one.

SELECT idx, name INTO #first_names FROM (VALUES
    (0, N'Avery'), (1, N'Blake'), (2, N'Casey'), (3, N'Dana'),
    (4, N'Elliot'), (5, N'Finley'), (6, N'Gale'), (7, N'Harper'),
    (8, N'Indra'), (9, N'Jules'), (10, N'Kendall'), (11, N'Logan'),
    (12, N'Marlow'), (13, N'Noor'), (14, N'Oakley'), (15, N'Parker'),
    (16, N'Quinn'), (17, N'Reese'), (18, N'Sage'), (19, N'Tatum'),
    (20, N'Umber'), (21, N'Vale'), (22, N'Wren'), (23, N'Yael'),
    (24, N'Zion'), (25, N'Arden'), (26, N'Briar'), (27, N'Cove'),
    (28, N'Darby'), (29, N'Emery'), (30, N'Fable'), (31, N'Greer')
) AS v (idx, name);

SELECT idx, name INTO #last_names FROM (VALUES
    (0, N'Ashgrove'), (1, N'Bramblewood'), (2, N'Cinderfield'),
    (3, N'Dovecote'), (4, N'Elmstead'), (5, N'Fernhollow'),
    (6, N'Glenmoor'), (7, N'Hazelbrook'), (8, N'Ivywick'),
    (9, N'Juniperlane'), (10, N'Kestrelton'), (11, N'Larkspur'),
    (12, N'Mossbank'), (13, N'Nettlefield'), (14, N'Oakhurst'),
    (15, N'Pebbleford'), (16, N'Quillfeather'), (17, N'Rowanby'),
    (18, N'Sedgewick'), (19, N'Thistledown'), (20, N'Underhill'),
    (21, N'Vetchley'), (22, N'Willowmere'), (23, N'Yarrowdale'),
    (24, N'Alderbrook'), (25, N'Birchcombe'), (26, N'Copperfen'),
    (27, N'Driftmoor'), (28, N'Emberlane'), (29, N'Foxglove')
) AS v (idx, name);

SELECT idx, code INTO #states FROM (VALUES
    (0, 'AL'), (1, 'AZ'), (2, 'CA'), (3, 'CO'), (4, 'FL'), (5, 'GA'),
    (6, 'IL'), (7, 'IN'), (8, 'MA'), (9, 'MD'), (10, 'MI'), (11, 'MN'),
    (12, 'MO'), (13, 'NC'), (14, 'NJ'), (15, 'NY'), (16, 'OH'), (17, 'OR'),
    (18, 'PA'), (19, 'TN'), (20, 'TX'), (21, 'VA'), (22, 'WA'), (23, 'WI')
) AS v (idx, code);

SELECT idx, specialty, credential INTO #specialties FROM (VALUES
    (0, N'Family Medicine', 'MD'), (1, N'Internal Medicine', 'MD'),
    (2, N'Internal Medicine', 'DO'), (3, N'Pediatrics', 'MD'),
    (4, N'Cardiology', 'MD'), (5, N'Endocrinology', 'MD'),
    (6, N'Psychiatry', 'MD'), (7, N'Pulmonology', 'DO'),
    (8, N'Dermatology', 'MD'), (9, N'Neurology', 'MD'),
    (10, N'Rheumatology', 'MD'), (11, N'Obstetrics and Gynecology', 'MD'),
    (12, N'Family Medicine', 'NP'), (13, N'Family Medicine', 'PA')
) AS v (idx, specialty, credential);

-- One row per drug and strength. dispensing is maintenance (daily doses,
-- refilled), acute (a short course, no refills) or package (a whole package
-- lasts 30 days).
SELECT drug_id, drug_name, drug_class, strength, dosage_form, dispensing,
    package_quantity
INTO #drugs
FROM (VALUES
    (1, N'metformin hydrochloride', N'Biguanide', N'500 mg', N'tablet', 'maintenance', 1),
    (2, N'metformin hydrochloride', N'Biguanide', N'850 mg', N'tablet', 'maintenance', 1),
    (3, N'metformin hydrochloride', N'Biguanide', N'1000 mg', N'tablet', 'maintenance', 1),
    (4, N'glipizide', N'Sulfonylurea', N'5 mg', N'tablet', 'maintenance', 1),
    (5, N'glipizide', N'Sulfonylurea', N'10 mg', N'tablet', 'maintenance', 1),
    (6, N'insulin glargine', N'Insulin', N'100 units/mL', N'injection solution', 'package', 15),
    (7, N'lisinopril', N'ACE inhibitor', N'10 mg', N'tablet', 'maintenance', 1),
    (8, N'lisinopril', N'ACE inhibitor', N'20 mg', N'tablet', 'maintenance', 1),
    (9, N'lisinopril', N'ACE inhibitor', N'40 mg', N'tablet', 'maintenance', 1),
    (10, N'losartan potassium', N'Angiotensin II receptor blocker', N'25 mg', N'tablet', 'maintenance', 1),
    (11, N'losartan potassium', N'Angiotensin II receptor blocker', N'50 mg', N'tablet', 'maintenance', 1),
    (12, N'losartan potassium', N'Angiotensin II receptor blocker', N'100 mg', N'tablet', 'maintenance', 1),
    (13, N'amlodipine besylate', N'Calcium channel blocker', N'5 mg', N'tablet', 'maintenance', 1),
    (14, N'amlodipine besylate', N'Calcium channel blocker', N'10 mg', N'tablet', 'maintenance', 1),
    (15, N'hydrochlorothiazide', N'Thiazide diuretic', N'12.5 mg', N'tablet', 'maintenance', 1),
    (16, N'hydrochlorothiazide', N'Thiazide diuretic', N'25 mg', N'tablet', 'maintenance', 1),
    (17, N'furosemide', N'Loop diuretic', N'20 mg', N'tablet', 'maintenance', 1),
    (18, N'furosemide', N'Loop diuretic', N'40 mg', N'tablet', 'maintenance', 1),
    (19, N'metoprolol succinate', N'Beta blocker', N'25 mg', N'extended-release tablet', 'maintenance', 1),
    (20, N'metoprolol succinate', N'Beta blocker', N'50 mg', N'extended-release tablet', 'maintenance', 1),
    (21, N'metoprolol succinate', N'Beta blocker', N'100 mg', N'extended-release tablet', 'maintenance', 1),
    (22, N'atorvastatin calcium', N'HMG-CoA reductase inhibitor', N'10 mg', N'tablet', 'maintenance', 1),
    (23, N'atorvastatin calcium', N'HMG-CoA reductase inhibitor', N'20 mg', N'tablet', 'maintenance', 1),
    (24, N'atorvastatin calcium', N'HMG-CoA reductase inhibitor', N'40 mg', N'tablet', 'maintenance', 1),
    (25, N'atorvastatin calcium', N'HMG-CoA reductase inhibitor', N'80 mg', N'tablet', 'maintenance', 1),
    (26, N'rosuvastatin calcium', N'HMG-CoA reductase inhibitor', N'5 mg', N'tablet', 'maintenance', 1),
    (27, N'rosuvastatin calcium', N'HMG-CoA reductase inhibitor', N'10 mg', N'tablet', 'maintenance', 1),
    (28, N'rosuvastatin calcium', N'HMG-CoA reductase inhibitor', N'20 mg', N'tablet', 'maintenance', 1),
    (29, N'apixaban', N'Anticoagulant', N'2.5 mg', N'tablet', 'maintenance', 1),
    (30, N'apixaban', N'Anticoagulant', N'5 mg', N'tablet', 'maintenance', 1),
    (31, N'warfarin sodium', N'Anticoagulant', N'1 mg', N'tablet', 'maintenance', 1),
    (32, N'warfarin sodium', N'Anticoagulant', N'2 mg', N'tablet', 'maintenance', 1),
    (33, N'warfarin sodium', N'Anticoagulant', N'5 mg', N'tablet', 'maintenance', 1),
    (34, N'clopidogrel', N'Antiplatelet', N'75 mg', N'tablet', 'maintenance', 1),
    (35, N'albuterol sulfate', N'Short-acting beta agonist', N'90 mcg/actuation', N'inhalation aerosol', 'package', 18),
    (36, N'fluticasone propionate', N'Inhaled corticosteroid', N'110 mcg/actuation', N'inhalation aerosol', 'package', 12),
    (37, N'montelukast sodium', N'Leukotriene modifier', N'10 mg', N'tablet', 'maintenance', 1),
    (38, N'tiotropium bromide', N'Anticholinergic bronchodilator', N'18 mcg', N'inhalation capsule', 'maintenance', 1),
    (39, N'sertraline', N'SSRI', N'25 mg', N'tablet', 'maintenance', 1),
    (40, N'sertraline', N'SSRI', N'50 mg', N'tablet', 'maintenance', 1),
    (41, N'sertraline', N'SSRI', N'100 mg', N'tablet', 'maintenance', 1),
    (42, N'escitalopram', N'SSRI', N'10 mg', N'tablet', 'maintenance', 1),
    (43, N'escitalopram', N'SSRI', N'20 mg', N'tablet', 'maintenance', 1),
    (44, N'fluoxetine', N'SSRI', N'20 mg', N'capsule', 'maintenance', 1),
    (45, N'bupropion hydrochloride', N'Antidepressant', N'150 mg', N'extended-release tablet', 'maintenance', 1),
    (46, N'bupropion hydrochloride', N'Antidepressant', N'300 mg', N'extended-release tablet', 'maintenance', 1),
    (47, N'trazodone', N'Antidepressant', N'50 mg', N'tablet', 'maintenance', 1),
    (48, N'trazodone', N'Antidepressant', N'100 mg', N'tablet', 'maintenance', 1),
    (49, N'buspirone', N'Anxiolytic', N'10 mg', N'tablet', 'maintenance', 1),
    (50, N'buspirone', N'Anxiolytic', N'15 mg', N'tablet', 'maintenance', 1),
    (51, N'methylphenidate', N'CNS stimulant', N'10 mg', N'tablet', 'maintenance', 1),
    (52, N'methylphenidate', N'CNS stimulant', N'20 mg', N'tablet', 'maintenance', 1),
    (53, N'levothyroxine sodium', N'Thyroid hormone', N'25 mcg', N'tablet', 'maintenance', 1),
    (54, N'levothyroxine sodium', N'Thyroid hormone', N'50 mcg', N'tablet', 'maintenance', 1),
    (55, N'levothyroxine sodium', N'Thyroid hormone', N'75 mcg', N'tablet', 'maintenance', 1),
    (56, N'levothyroxine sodium', N'Thyroid hormone', N'100 mcg', N'tablet', 'maintenance', 1),
    (57, N'omeprazole', N'Proton pump inhibitor', N'20 mg', N'delayed-release capsule', 'maintenance', 1),
    (58, N'omeprazole', N'Proton pump inhibitor', N'40 mg', N'delayed-release capsule', 'maintenance', 1),
    (59, N'pantoprazole', N'Proton pump inhibitor', N'40 mg', N'delayed-release tablet', 'maintenance', 1),
    (60, N'gabapentin', N'Anticonvulsant', N'100 mg', N'capsule', 'maintenance', 1),
    (61, N'gabapentin', N'Anticonvulsant', N'300 mg', N'capsule', 'maintenance', 1),
    (62, N'sumatriptan', N'Triptan', N'50 mg', N'tablet', 'package', 9),
    (63, N'sumatriptan', N'Triptan', N'100 mg', N'tablet', 'package', 9),
    (64, N'amoxicillin', N'Antibiotic', N'500 mg', N'capsule', 'acute', 1),
    (65, N'azithromycin', N'Antibiotic', N'250 mg', N'tablet', 'acute', 1),
    (66, N'cephalexin', N'Antibiotic', N'500 mg', N'capsule', 'acute', 1),
    (67, N'nitrofurantoin', N'Antibiotic', N'100 mg', N'capsule', 'acute', 1),
    (68, N'allopurinol', N'Xanthine oxidase inhibitor', N'100 mg', N'tablet', 'maintenance', 1),
    (69, N'allopurinol', N'Xanthine oxidase inhibitor', N'300 mg', N'tablet', 'maintenance', 1),
    (70, N'alendronate sodium', N'Bisphosphonate', N'70 mg', N'tablet', 'package', 4),
    (71, N'prednisone', N'Corticosteroid', N'10 mg', N'tablet', 'acute', 1),
    (72, N'prednisone', N'Corticosteroid', N'20 mg', N'tablet', 'acute', 1),
    (73, N'ibuprofen', N'NSAID', N'600 mg', N'tablet', 'maintenance', 1),
    (74, N'ibuprofen', N'NSAID', N'800 mg', N'tablet', 'maintenance', 1),
    (75, N'meloxicam', N'NSAID', N'7.5 mg', N'tablet', 'maintenance', 1),
    (76, N'meloxicam', N'NSAID', N'15 mg', N'tablet', 'maintenance', 1),
    (77, N'cyclobenzaprine', N'Skeletal muscle relaxant', N'5 mg', N'tablet', 'acute', 1),
    (78, N'cyclobenzaprine', N'Skeletal muscle relaxant', N'10 mg', N'tablet', 'acute', 1),
    (79, N'cetirizine', N'Antihistamine', N'10 mg', N'tablet', 'maintenance', 1),
    (80, N'latanoprost', N'Prostaglandin analog', N'0.005%', N'ophthalmic solution', 'package', 3),
    (81, N'tretinoin', N'Topical retinoid', N'0.025%', N'cream', 'package', 45),
    (82, N'tretinoin', N'Topical retinoid', N'0.05%', N'cream', 'package', 45),
    (83, N'ergocalciferol', N'Vitamin', N'50000 units', N'capsule', 'package', 4),
    (84, N'ferrous sulfate', N'Iron supplement', N'325 mg', N'tablet', 'maintenance', 1),
    (85, N'zolpidem tartrate', N'Sedative-hypnotic', N'5 mg', N'tablet', 'maintenance', 1),
    (86, N'zolpidem tartrate', N'Sedative-hypnotic', N'10 mg', N'tablet', 'maintenance', 1),
    (87, N'terbinafine', N'Antifungal', N'250 mg', N'tablet', 'maintenance', 1),
    (88, N'dicyclomine', N'Antispasmodic', N'10 mg', N'capsule', 'maintenance', 1),
    (89, N'dicyclomine', N'Antispasmodic', N'20 mg', N'capsule', 'maintenance', 1),
    (90, N'phentermine hydrochloride', N'Anorexiant', N'37.5 mg', N'tablet', 'maintenance', 1),
    (91, N'benzonatate', N'Antitussive', N'100 mg', N'capsule', 'acute', 1),
    (92, N'benzonatate', N'Antitussive', N'200 mg', N'capsule', 'acute', 1)
) AS v (
    drug_id, drug_name, drug_class, strength, dosage_form, dispensing,
    package_quantity
);

-- ICD-10-CM codes a prescriber would record for each drug class.
SELECT drug_class, idx, code INTO #diagnoses FROM (VALUES
    (N'Biguanide', 0, 'E11.9'), (N'Biguanide', 1, 'E11.65'),
    (N'Sulfonylurea', 0, 'E11.9'), (N'Sulfonylurea', 1, 'E11.65'),
    (N'Insulin', 0, 'E11.65'), (N'Insulin', 1, 'E11.9'),
    (N'ACE inhibitor', 0, 'I10'), (N'ACE inhibitor', 1, 'I50.9'),
    (N'ACE inhibitor', 2, 'N18.9'), (N'Angiotensin II receptor blocker', 0, 'I10'),
    (N'Angiotensin II receptor blocker', 1, 'N18.9'), (N'Calcium channel blocker', 0, 'I10'),
    (N'Thiazide diuretic', 0, 'I10'), (N'Loop diuretic', 0, 'I50.9'),
    (N'Beta blocker', 0, 'I10'), (N'Beta blocker', 1, 'I25.10'),
    (N'Beta blocker', 2, 'I48.91'), (N'HMG-CoA reductase inhibitor', 0, 'E78.5'),
    (N'HMG-CoA reductase inhibitor', 1, 'E78.00'), (N'HMG-CoA reductase inhibitor', 2, 'I25.10'),
    (N'Anticoagulant', 0, 'I48.91'), (N'Antiplatelet', 0, 'I25.10'),
    (N'Short-acting beta agonist', 0, 'J45.909'), (N'Short-acting beta agonist', 1, 'J44.9'),
    (N'Inhaled corticosteroid', 0, 'J45.909'), (N'Inhaled corticosteroid', 1, 'J44.9'),
    (N'Leukotriene modifier', 0, 'J45.909'), (N'Leukotriene modifier', 1, 'J30.9'),
    (N'Anticholinergic bronchodilator', 0, 'J44.9'), (N'SSRI', 0, 'F32.9'),
    (N'SSRI', 1, 'F33.1'), (N'SSRI', 2, 'F41.1'),
    (N'Antidepressant', 0, 'F32.9'), (N'Antidepressant', 1, 'F33.1'),
    (N'Antidepressant', 2, 'G47.00'), (N'Anxiolytic', 0, 'F41.1'),
    (N'Anxiolytic', 1, 'F41.9'), (N'CNS stimulant', 0, 'F90.0'),
    (N'Thyroid hormone', 0, 'E03.9'), (N'Proton pump inhibitor', 0, 'K21.9'),
    (N'Anticonvulsant', 0, 'G89.29'), (N'Anticonvulsant', 1, 'M54.50'),
    (N'Triptan', 0, 'G43.909'), (N'Antibiotic', 0, 'J01.90'),
    (N'Antibiotic', 1, 'J02.9'), (N'Antibiotic', 2, 'J06.9'),
    (N'Antibiotic', 3, 'N39.0'), (N'Antibiotic', 4, 'A49.9'),
    (N'Xanthine oxidase inhibitor', 0, 'M10.9'), (N'Bisphosphonate', 0, 'M81.0'),
    (N'Corticosteroid', 0, 'J45.909'), (N'Corticosteroid', 1, 'L40.0'),
    (N'Corticosteroid', 2, 'M19.90'), (N'NSAID', 0, 'M19.90'),
    (N'NSAID', 1, 'M54.50'), (N'Skeletal muscle relaxant', 0, 'M54.50'),
    (N'Antihistamine', 0, 'J30.9'), (N'Prostaglandin analog', 0, 'H40.9'),
    (N'Topical retinoid', 0, 'L70.0'), (N'Vitamin', 0, 'E55.9'),
    (N'Iron supplement', 0, 'D64.9'), (N'Sedative-hypnotic', 0, 'G47.00'),
    (N'Antifungal', 0, 'B35.1'), (N'Antispasmodic', 0, 'K58.9'),
    (N'Anorexiant', 0, 'E66.9'), (N'Antitussive', 0, 'R05.9')
) AS v (drug_class, idx, code);

-- NCPDP reject codes. A draw in [low, high) out of 100 picks the code, so
-- the width of the range is its relative frequency.
SELECT code, low, high INTO #reject_codes FROM (VALUES
    ('75', 0, 30), ('70', 30, 50), ('79', 50, 70), ('76', 70, 82),
    ('MR', 82, 92), ('88', 92, 96), ('65', 96, 100)
) AS v (code, low, high);

SELECT class_a, class_b, severity, description INTO #interaction_rules FROM (VALUES
    (N'Anticoagulant', N'NSAID', 'major',
        N'Concurrent use increases the risk of serious bleeding.'),
    (N'Anticoagulant', N'Antiplatelet', 'major',
        N'Additive antithrombotic effect raises the risk of bleeding.'),
    (N'Anticoagulant', N'Antibiotic', 'moderate',
        N'Some antibiotics raise anticoagulant exposure. Monitor INR and bleeding.'),
    (N'SSRI', N'Triptan', 'major',
        N'Risk of serotonin syndrome.'),
    (N'SSRI', N'NSAID', 'moderate',
        N'Increased risk of gastrointestinal bleeding.'),
    (N'SSRI', N'Anticoagulant', 'moderate',
        N'Increased risk of bleeding.'),
    (N'ACE inhibitor', N'Angiotensin II receptor blocker', 'major',
        N'Dual renin-angiotensin blockade raises the risk of hyperkalemia and acute kidney injury.'),
    (N'ACE inhibitor', N'NSAID', 'moderate',
        N'NSAIDs reduce the antihypertensive effect and may impair kidney function.'),
    (N'Sedative-hypnotic', N'Anxiolytic', 'moderate',
        N'Additive central nervous system depression.'),
    (N'Anticonvulsant', N'Sedative-hypnotic', 'moderate',
        N'Additive central nervous system and respiratory depression.'),
    (N'Sulfonylurea', N'Beta blocker', 'minor',
        N'Beta blockers can mask the symptoms of hypoglycemia.'),
    (N'Insulin', N'Beta blocker', 'minor',
        N'Beta blockers can mask the symptoms of hypoglycemia.'),
    (N'Thyroid hormone', N'Iron supplement', 'moderate',
        N'Iron reduces levothyroxine absorption. Separate doses by 4 hours.'),
    (N'Thyroid hormone', N'Proton pump inhibitor', 'minor',
        N'Reduced gastric acidity may lower levothyroxine absorption.'),
    (N'Bisphosphonate', N'Iron supplement', 'moderate',
        N'Iron reduces bisphosphonate absorption.'),
    (N'Corticosteroid', N'NSAID', 'moderate',
        N'Increased risk of gastrointestinal ulceration and bleeding.'),
    (N'Loop diuretic', N'Corticosteroid', 'moderate',
        N'Additive potassium loss.'),
    (N'Antidepressant', N'Triptan', 'moderate',
        N'Risk of serotonin syndrome.'),
    (N'SSRI', N'Anorexiant', 'moderate',
        N'Risk of serotonin syndrome.')
) AS v (class_a, class_b, severity, description);

-- Retail items for the commerce sample, with unit prices in cents.
SELECT idx, sku, product_name, price_cents INTO #products FROM (VALUES
    (0, 'HC-1001', N'Digital thermometer', 1299),
    (1, 'HC-1002', N'Blood pressure monitor, upper arm', 4999),
    (2, 'HC-1003', N'Weekly pill organizer', 599),
    (3, 'HC-1004', N'Vitamin D3 1000 IU, 90 count', 899),
    (4, 'HC-1005', N'Hand sanitizer, 8 oz', 399),
    (5, 'HC-1006', N'Compression socks, medium', 1899),
    (6, 'HC-1007', N'Electric heating pad', 2999),
    (7, 'HC-1008', N'Reading glasses +1.50', 1499),
    (8, 'HC-1009', N'First aid kit, 100 pieces', 2199),
    (9, 'HC-1010', N'Saline nasal spray', 549),
    (10, 'HC-1011', N'Sunscreen SPF 50, 6 oz', 1199),
    (11, 'HC-1012', N'Reusable ice pack', 799),
    (12, 'HC-1013', N'Fingertip pulse oximeter', 2499),
    (13, 'HC-1014', N'Elastic bandage, 3 in', 449),
    (14, 'HC-1015', N'Cotton swabs, 500 count', 349),
    (15, 'HC-1016', N'Allergy relief 24 hour, 30 count', 1799),
    (16, 'HC-1017', N'Electrolyte powder, 20 packets', 1599),
    (17, 'HC-1018', N'Soft toothbrush, 4 pack', 699),
    (18, 'HC-1019', N'Glucose test strips, 50 count', 3499),
    (19, 'HC-1020', N'Lip balm, 3 pack', 499)
) AS v (idx, sku, product_name, price_cents);

DECLARE @first_name_count int = (SELECT COUNT(*) FROM #first_names);
DECLARE @last_name_count int = (SELECT COUNT(*) FROM #last_names);
DECLARE @state_count int = (SELECT COUNT(*) FROM #states);
DECLARE @specialty_count int = (SELECT COUNT(*) FROM #specialties);
DECLARE @product_count int = (SELECT COUNT(*) FROM #products);

-- Numbers 1 to 10,000 from the cross join of four digit tables.
WITH digits AS (
    SELECT d FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS v (d)
)
SELECT CAST(a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 1 AS int) AS n
INTO #numbers
FROM digits AS a
CROSS JOIN digits AS b
CROSS JOIN digits AS c
CROSS JOIN digits AS e;

CREATE UNIQUE CLUSTERED INDEX ix_numbers ON #numbers (n);

-- Eight independent draws per row: r1 to r8 are four-byte slices of one
-- SHA2_256 hash of the table name and row number, each uniform on [0, 2^32).
-- Each table below applies this to its own salt.

-- NPIs: a leading 1 (individual) or 2 (organization), eight digits and a Luhn
-- check digit computed over the prefix 80840 plus the nine digits, as CMS
-- specifies. The prefix adds 24 to the Luhn sum. Multiplying by a number
-- coprime with 10^8 scrambles the row number without collisions.
SELECT kind.kind, n.n, CONCAT(base.digits, luhn.check_digit) AS npi
INTO #npis
FROM (VALUES ('provider', '1', 48271), ('pharmacy', '2', 69621))
    AS kind (kind, leading_digit, multiplier)
CROSS JOIN #numbers AS n
CROSS APPLY (
    SELECT CONCAT(
        kind.leading_digit,
        RIGHT(CONCAT('0000000', (CAST(n.n AS bigint) * kind.multiplier) % 100000000), 8)
    ) AS digits
) AS base
CROSS APPLY (
    -- From the right, every other digit starting with the last is doubled,
    -- and a doubled digit counts as the sum of its two digits.
    SELECT (10 - (24 + SUM(
        CASE WHEN place.pos % 2 = 1
            THEN 2 * digit.value / 10 + 2 * digit.value % 10
            ELSE digit.value END
    )) % 10) % 10 AS check_digit
    FROM (VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS place (pos)
    CROSS APPLY (
        SELECT CAST(SUBSTRING(base.digits, place.pos, 1) AS int) AS value
    ) AS digit
) AS luhn
WHERE n.n <= 1000;

BEGIN TRANSACTION;

-- Providers

SET IDENTITY_INSERT healthcare.providers ON;
-- Every provider is registered with the DEA. A DEA number is the registrant
-- type (B, or M for an NP or a PA), the last name's initial, six digits and a
-- check digit. The check digit is the sum of digits 1, 3 and 5 plus twice
-- digits 2, 4 and 6, modulo 10.
INSERT INTO healthcare.providers (
    provider_id, npi, first_name, last_name, credential, specialty, state,
    dea_number
)
SELECT n.n, npi.npi, f.name, l.name, s.credential, s.specialty, st.code,
    CONCAT(
        IIF(s.credential IN ('NP', 'PA'), 'M', 'B'),
        UPPER(LEFT(l.name, 1)),
        dea.digits,
        (
            CAST(SUBSTRING(dea.digits, 1, 1) AS int)
            + CAST(SUBSTRING(dea.digits, 3, 1) AS int)
            + CAST(SUBSTRING(dea.digits, 5, 1) AS int)
            + 2 * (
                CAST(SUBSTRING(dea.digits, 2, 1) AS int)
                + CAST(SUBSTRING(dea.digits, 4, 1) AS int)
                + CAST(SUBSTRING(dea.digits, 6, 1) AS int)
            )
        ) % 10
    )
FROM #numbers AS n
CROSS APPLY (SELECT HASHBYTES('SHA2_256', CONCAT('providers:', n.n)) AS h) AS hashed
CROSS APPLY (
    SELECT CONVERT(bigint, SUBSTRING(hashed.h, 1, 4)) AS r1,
        CONVERT(bigint, SUBSTRING(hashed.h, 5, 4)) AS r2,
        CONVERT(bigint, SUBSTRING(hashed.h, 9, 4)) AS r3,
        CONVERT(bigint, SUBSTRING(hashed.h, 13, 4)) AS r4
) AS r
INNER JOIN #npis AS npi ON npi.kind = 'provider' AND npi.n = n.n
INNER JOIN #first_names AS f ON f.idx = r.r1 % @first_name_count
INNER JOIN #last_names AS l ON l.idx = r.r2 % @last_name_count
INNER JOIN #specialties AS s ON s.idx = r.r3 % @specialty_count
INNER JOIN #states AS st ON st.idx = r.r4 % @state_count
CROSS APPLY (
    SELECT RIGHT(
        CONCAT('00000', CONVERT(bigint, SUBSTRING(hashed.h, 17, 4)) % 1000000), 6
    ) AS digits
) AS dea
WHERE n.n <= @provider_count;
SET IDENTITY_INSERT healthcare.providers OFF;

-- Pharmacies: 60 % belong to a chain. The NCPDP id scrambles the row number
-- with a multiplier coprime with 9,000,000, so ids never collide.

SET IDENTITY_INSERT healthcare.pharmacies ON;
INSERT INTO healthcare.pharmacies (pharmacy_id, ncpdp_id, npi, name, state, is_chain)
SELECT n.n,
    CAST(1000000 + (CAST(n.n AS bigint) * 7919) % 9000000 AS char(7)),
    npi.npi,
    CASE WHEN chain.is_chain = 1
        THEN CONCAT(
            CHOOSE(r.r2 % 5 + 1, N'Harborlight', N'Cedar Cross', N'Bluewater',
                N'Summit Care', N'Northgate'),
            N' Pharmacy #', RIGHT(CONCAT('000', r.r3 % 9998 + 1), 4)
        )
        ELSE CONCAT(
            CHOOSE(r.r2 % 7 + 1, N'Maple', N'Mill', N'Orchard', N'River',
                N'Station', N'Union', N'Willow'),
            N' Street ',
            CHOOSE(r.r3 % 4 + 1, N'Apothecary', N'Pharmacy', N'Drug', N'Rx')
        )
    END,
    st.code,
    chain.is_chain
FROM #numbers AS n
CROSS APPLY (SELECT HASHBYTES('SHA2_256', CONCAT('pharmacies:', n.n)) AS h) AS hashed
CROSS APPLY (
    SELECT CONVERT(bigint, SUBSTRING(hashed.h, 1, 4)) AS r1,
        CONVERT(bigint, SUBSTRING(hashed.h, 5, 4)) AS r2,
        CONVERT(bigint, SUBSTRING(hashed.h, 9, 4)) AS r3,
        CONVERT(bigint, SUBSTRING(hashed.h, 13, 4)) AS r4
) AS r
CROSS APPLY (
    SELECT CAST(IIF(r.r1 < 0.6 * @draw_range, 1, 0) AS bit) AS is_chain
) AS chain
INNER JOIN #npis AS npi ON npi.kind = 'pharmacy' AND npi.n = n.n
INNER JOIN #states AS st ON st.idx = r.r4 % @state_count
WHERE n.n <= @pharmacy_count;
SET IDENTITY_INSERT healthcare.pharmacies OFF;

-- Medications: every drug strength as a generic, and a brand version of about
-- a quarter of them, so about 80 % are generic. The NDC's product segment is
-- the medication id, which keeps NDCs unique. Unit costs are in dollars per
-- dispensed unit. A package drug is priced per package and divided.

SELECT
    CAST(ROW_NUMBER() OVER (ORDER BY d.drug_id, g.is_generic DESC) AS bigint)
        AS medication_id,
    d.drug_id,
    g.is_generic,
    r.r2,
    r.r3,
    CAST(
        CASE
            WHEN d.dispensing = 'package' AND g.is_generic = 1
                THEN (15 + 45.0 * r.r3 / @draw_range) / d.package_quantity
            WHEN d.dispensing = 'package'
                THEN (150 + 300.0 * r.r3 / @draw_range) / d.package_quantity
            WHEN g.is_generic = 1 THEN 0.05 + 1.45 * r.r3 / @draw_range
            ELSE 3 + 22.0 * r.r3 / @draw_range
        END AS decimal(12, 4)
    ) AS unit_cost
INTO #medications
FROM #drugs AS d
CROSS JOIN (VALUES (CAST(1 AS bit)), (CAST(0 AS bit))) AS g (is_generic)
CROSS APPLY (
    SELECT HASHBYTES('SHA2_256', CONCAT('medications:', d.drug_id, ':', g.is_generic)) AS h
) AS hashed
CROSS APPLY (
    SELECT CONVERT(bigint, SUBSTRING(hashed.h, 1, 4)) AS r1,
        CONVERT(bigint, SUBSTRING(hashed.h, 5, 4)) AS r2,
        CONVERT(bigint, SUBSTRING(hashed.h, 9, 4)) AS r3
) AS r
WHERE g.is_generic = 1 OR r.r1 < 0.27 * @draw_range;

SET IDENTITY_INSERT healthcare.medications ON;
-- dea_schedule: methylphenidate is a Schedule II stimulant, and zolpidem and
-- phentermine are Schedule IV. The other drugs are not federally controlled.
INSERT INTO healthcare.medications (
    medication_id, ndc, drug_name, is_generic, strength, dosage_form, drug_class,
    dea_schedule
)
SELECT m.medication_id,
    CONCAT(
        10000 + m.r2 % 90000,
        RIGHT(CONCAT('000', m.medication_id), 4),
        RIGHT(CONCAT('0', m.r3 % 99 + 1), 2)
    ),
    d.drug_name, m.is_generic, d.strength, d.dosage_form, d.drug_class,
    CASE d.drug_name
        WHEN N'methylphenidate' THEN 'II'
        WHEN N'zolpidem tartrate' THEN 'IV'
        WHEN N'phentermine hydrochloride' THEN 'IV'
    END
FROM #medications AS m
INNER JOIN #drugs AS d ON d.drug_id = m.drug_id;
SET IDENTITY_INSERT healthcare.medications OFF;

DECLARE @medication_count int = (SELECT COUNT(*) FROM #medications);

-- Patients: ages 2 to 90, gender 51 % F, 48 % M, 1 % U.

SET IDENTITY_INSERT healthcare.patients ON;
INSERT INTO healthcare.patients (
    patient_id, member_id, first_name, last_name, date_of_birth, gender,
    zip_code, state
)
SELECT n.n,
    CONCAT('WRM', RIGHT(CONCAT('00000000', n.n), 9)),
    f.name,
    l.name,
    DATEADD(DAY, -(730 + CAST(r.r3 % (365 * 88) AS int)), @today),
    CASE WHEN r.r4 % 100 < 51 THEN 'F' WHEN r.r4 % 100 < 99 THEN 'M' ELSE 'U' END,
    RIGHT(CONCAT('0000', 1000 + r.r5 % 98950), 5),
    st.code
FROM #numbers AS n
CROSS APPLY (SELECT HASHBYTES('SHA2_256', CONCAT('patients:', n.n)) AS h) AS hashed
CROSS APPLY (
    SELECT CONVERT(bigint, SUBSTRING(hashed.h, 1, 4)) AS r1,
        CONVERT(bigint, SUBSTRING(hashed.h, 5, 4)) AS r2,
        CONVERT(bigint, SUBSTRING(hashed.h, 9, 4)) AS r3,
        CONVERT(bigint, SUBSTRING(hashed.h, 13, 4)) AS r4,
        CONVERT(bigint, SUBSTRING(hashed.h, 17, 4)) AS r5,
        CONVERT(bigint, SUBSTRING(hashed.h, 21, 4)) AS r6
) AS r
INNER JOIN #first_names AS f ON f.idx = r.r1 % @first_name_count
INNER JOIN #last_names AS l ON l.idx = r.r2 % @last_name_count
INNER JOIN #states AS st ON st.idx = r.r6 % @state_count
WHERE n.n <= @patient_count;
SET IDENTITY_INSERT healthcare.patients OFF;

-- Prescriptions, written between 2025-01-01 and today. Quantity, days supply
-- and refills follow the drug's dispensing, as in the PostgreSQL generator.
-- Each also gets an adherence profile that drives its refill claims: 65 %
-- refill on time (0 to 3 days late), 25 % late (5 to 20 days), and 10 % stop
-- after the first fill.

SELECT n.n AS prescription_id,
    CAST(r.r2 % @patient_count + 1 AS bigint) AS patient_id,
    CAST(r.r3 % @provider_count + 1 AS bigint) AS provider_id,
    m.medication_id,
    DATEADD(DAY, CAST(r.r4 % @history_days AS int), @history_start) AS written_date,
    CAST(dispensed.units AS decimal(10, 3)) AS quantity,
    supply.days_supply,
    CAST(supply.refills AS smallint) AS refills_authorized,
    dx.code AS diagnosis_code,
    CASE
        WHEN r.r7 % 100 < 65 THEN CAST(r.r8 % 4 AS int)
        WHEN r.r7 % 100 < 90 THEN CAST(5 + r.r8 % 16 AS int)
        ELSE NULL
    END AS days_late
INTO #prescriptions
FROM #numbers AS n
CROSS APPLY (
    SELECT HASHBYTES('SHA2_256', CONCAT('prescriptions:', n.n)) AS h
) AS hashed
CROSS APPLY (
    SELECT CONVERT(bigint, SUBSTRING(hashed.h, 1, 4)) AS r1,
        CONVERT(bigint, SUBSTRING(hashed.h, 5, 4)) AS r2,
        CONVERT(bigint, SUBSTRING(hashed.h, 9, 4)) AS r3,
        CONVERT(bigint, SUBSTRING(hashed.h, 13, 4)) AS r4,
        CONVERT(bigint, SUBSTRING(hashed.h, 17, 4)) AS r5,
        CONVERT(bigint, SUBSTRING(hashed.h, 21, 4)) AS r6,
        CONVERT(bigint, SUBSTRING(hashed.h, 25, 4)) AS r7,
        CONVERT(bigint, SUBSTRING(hashed.h, 29, 4)) AS r8
) AS r
INNER JOIN #medications AS m ON m.medication_id = r.r1 % @medication_count + 1
INNER JOIN #drugs AS d ON d.drug_id = m.drug_id
CROSS APPLY (
    -- r5 % 4 and r5 / 4 are independent draws, and so are r8 % 16 and r8 / 16.
    SELECT
        CASE d.dispensing
            WHEN 'acute' THEN CHOOSE(r.r5 % 3 + 1, 5, 7, 10)
            WHEN 'package' THEN 30
            ELSE CHOOSE(r.r5 % 4 + 1, 30, 30, 30, 90)
        END AS days_supply,
        CASE d.dispensing WHEN 'acute' THEN 0 ELSE r.r5 / 4 % 6 END AS refills
) AS supply
CROSS APPLY (
    SELECT
        CASE d.dispensing
            WHEN 'acute' THEN supply.days_supply * (r.r6 % 3 + 1)
            WHEN 'package' THEN d.package_quantity
            ELSE supply.days_supply * CHOOSE(r.r6 % 3 + 1, 1, 1, 2)
        END AS units
) AS dispensed
CROSS APPLY (
    SELECT dx.code
    FROM #diagnoses AS dx
    WHERE dx.drug_class = d.drug_class
        AND dx.idx = r.r8 / 16 % (
            SELECT COUNT(*) FROM #diagnoses AS c WHERE c.drug_class = d.drug_class
        )
) AS dx
WHERE n.n <= @prescription_count;

SET IDENTITY_INSERT healthcare.prescriptions ON;
INSERT INTO healthcare.prescriptions (
    prescription_id, patient_id, provider_id, medication_id, written_date,
    quantity, days_supply, refills_authorized, diagnosis_code
)
SELECT prescription_id, patient_id, provider_id, medication_id, written_date,
    quantity, days_supply, refills_authorized, diagnosis_code
FROM #prescriptions;
SET IDENTITY_INSERT healthcare.prescriptions OFF;

-- Claims: one per fill up to today. Fill k comes k * (days_supply + days
-- late) days after the written date, plus 0 to 2 days. A patient fills 85 %
-- of claims at one usual pharmacy. Amounts are in cents until the insert.

SELECT p.prescription_id,
    p.patient_id,
    CAST(k.n - 1 AS smallint) AS fill_number,
    fill.service_date,
    p.quantity,
    p.days_supply,
    med.ndc,
    IIF(r.r6 < 0.85 * @draw_range, usual.pharmacy_id, r.r6 % @pharmacy_count + 1)
        AS pharmacy_id,
    status.claim_status,
    status.reject_code,
    DATEADD(
        SECOND,
        IIF(fill.service_date = @today, r.r5 % 3600, 7 * 3600 + r.r5 % (15 * 3600)),
        CAST(fill.service_date AS datetime2(3))
    ) AS submitted_at,
    amounts.ingredient_cents,
    amounts.fee_cents,
    IIF(status.claim_status IN ('paid', 'reversed'), copay.cents, 0) AS copay_cents,
    r.r3 AS delay_draw
INTO #claims
FROM #prescriptions AS p
INNER JOIN #numbers AS k
    ON k.n <= 1 + IIF(p.days_late IS NULL, 0, p.refills_authorized)
INNER JOIN #medications AS m ON m.medication_id = p.medication_id
INNER JOIN healthcare.medications AS med ON med.medication_id = p.medication_id
CROSS APPLY (
    SELECT HASHBYTES(
        'SHA2_256', CONCAT('pharmacy_claims:', p.prescription_id, ':', k.n)
    ) AS h
) AS hashed
CROSS APPLY (
    SELECT CONVERT(bigint, SUBSTRING(hashed.h, 1, 4)) AS r1,
        CONVERT(bigint, SUBSTRING(hashed.h, 5, 4)) AS r2,
        CONVERT(bigint, SUBSTRING(hashed.h, 9, 4)) AS r3,
        CONVERT(bigint, SUBSTRING(hashed.h, 13, 4)) AS r4,
        CONVERT(bigint, SUBSTRING(hashed.h, 17, 4)) AS r5,
        CONVERT(bigint, SUBSTRING(hashed.h, 21, 4)) AS r6,
        CONVERT(bigint, SUBSTRING(hashed.h, 25, 4)) AS r7,
        CONVERT(bigint, SUBSTRING(hashed.h, 29, 4)) AS r8
) AS r
CROSS APPLY (
    SELECT CONVERT(
        bigint,
        SUBSTRING(HASHBYTES('SHA2_256', CONCAT('usual_pharmacy:', p.patient_id)), 1, 4)
    ) % @pharmacy_count + 1 AS pharmacy_id
) AS usual
CROSS APPLY (
    SELECT DATEADD(
        DAY,
        (k.n - 1) * (p.days_supply + ISNULL(p.days_late, 0)) + r.r1 % 3,
        p.written_date
    ) AS service_date
) AS fill
CROSS APPLY (
    SELECT
        CASE
            WHEN r.r2 < 0.08 * @draw_range THEN 'rejected'
            WHEN fill.service_date = @today AND r.r4 < 0.15 * @draw_range
                THEN 'pending'
            WHEN fill.service_date < @today AND r.r4 < 0.025 * @draw_range
                THEN 'reversed'
            ELSE 'paid'
        END AS claim_status,
        CASE WHEN r.r2 < 0.08 * @draw_range THEN (
            SELECT rc.code FROM #reject_codes AS rc
            WHERE r.r3 % 100 >= rc.low AND r.r3 % 100 < rc.high
        ) END AS reject_code
) AS status
CROSS APPLY (
    SELECT CAST(ROUND(m.unit_cost * p.quantity * 100, 0) AS bigint)
            AS ingredient_cents,
        50 + r.r7 % 201 AS fee_cents
) AS amounts
CROSS APPLY (
    -- Generic copays are $0 to $15 and brand copays $25 to $60, never more
    -- than the claim's cost.
    SELECT IIF(
        base.cents < amounts.ingredient_cents + amounts.fee_cents,
        base.cents,
        amounts.ingredient_cents + amounts.fee_cents
    ) AS cents
    FROM (
        SELECT 100 * IIF(
            m.is_generic = 1,
            CHOOSE(r.r8 % 4 + 1, 0, 5, 10, 15),
            CHOOSE(r.r8 % 3 + 1, 25, 40, 60)
        ) AS cents
    ) AS base
) AS copay
WHERE fill.service_date <= @today;

-- Claim ids follow the submission time, as an identity would. Reversals come
-- 1 to 72 hours after submission but not after the end of today, and other
-- adjudications 0.2 to 4 seconds after it.
SET IDENTITY_INSERT healthcare.pharmacy_claims ON;
INSERT INTO healthcare.pharmacy_claims (
    claim_id, service_date, prescription_id, pharmacy_id, patient_id, ndc,
    fill_number, quantity, days_supply, ingredient_cost, dispensing_fee, copay,
    plan_paid, claim_status, reject_code, submitted_at, updated_at
)
SELECT
    ROW_NUMBER() OVER (
        ORDER BY c.submitted_at, c.prescription_id, c.fill_number
    ),
    c.service_date, c.prescription_id, c.pharmacy_id, c.patient_id, c.ndc,
    c.fill_number, c.quantity, c.days_supply,
    c.ingredient_cents / 100.0,
    c.fee_cents / 100.0,
    c.copay_cents / 100.0,
    IIF(
        c.claim_status IN ('paid', 'reversed'),
        (c.ingredient_cents + c.fee_cents - c.copay_cents) / 100.0,
        0
    ),
    c.claim_status,
    c.reject_code,
    c.submitted_at,
    CASE c.claim_status
        WHEN 'pending' THEN c.submitted_at
        WHEN 'reversed' THEN DATEADD(
            HOUR,
            CAST(1 + c.delay_draw % IIF(
                DATEDIFF(DAY, c.service_date, @today) < 3,
                DATEDIFF(DAY, c.service_date, @today) * 24,
                72
            ) AS int),
            c.submitted_at
        )
        ELSE DATEADD(
            MILLISECOND, CAST(200 + c.delay_draw / 128 % 3800 AS int), c.submitted_at
        )
    END
FROM #claims AS c;
SET IDENTITY_INSERT healthcare.pharmacy_claims OFF;

-- Drug interactions: up to 200 medication pairs whose classes have a known
-- interaction, picked in hash order, each pair once with the lower id first.

SET IDENTITY_INSERT healthcare.drug_interactions ON;
WITH candidates AS (
    SELECT
        IIF(a.medication_id < b.medication_id, a.medication_id, b.medication_id)
            AS medication_id_a,
        IIF(a.medication_id < b.medication_id, b.medication_id, a.medication_id)
            AS medication_id_b,
        interaction_rule.severity,
        interaction_rule.description
    FROM #interaction_rules AS interaction_rule
    INNER JOIN #drugs AS drug_a ON drug_a.drug_class = interaction_rule.class_a
    INNER JOIN #medications AS a ON a.drug_id = drug_a.drug_id
    INNER JOIN #drugs AS drug_b ON drug_b.drug_class = interaction_rule.class_b
    INNER JOIN #medications AS b ON b.drug_id = drug_b.drug_id
    WHERE a.medication_id <> b.medication_id
),
ranked AS (
    SELECT medication_id_a, medication_id_b, severity, description,
        HASHBYTES(
            'SHA2_256',
            CONCAT('drug_interactions:', medication_id_a, ':', medication_id_b)
        ) AS h,
        ROW_NUMBER() OVER (
            PARTITION BY medication_id_a, medication_id_b
            ORDER BY severity, description
        ) AS pair_rank
    FROM candidates
),
chosen AS (
    SELECT TOP (200) medication_id_a, medication_id_b, severity, description, h
    FROM ranked
    WHERE pair_rank = 1
    ORDER BY h
)
INSERT INTO healthcare.drug_interactions (
    interaction_id, medication_id_a, medication_id_b, severity, description
)
SELECT ROW_NUMBER() OVER (ORDER BY h), medication_id_a, medication_id_b,
    severity, description
FROM chosen;
SET IDENTITY_INSERT healthcare.drug_interactions OFF;

-- Prior authorizations for about 8 % of prescriptions, requested on the
-- written date during office hours and decided 30 minutes to 72 hours later:
-- 82 % approved, 18 % denied. A request is pending when its decision would
-- fall after today, and 2 % of the others stay pending.

SET IDENTITY_INSERT healthcare.prior_authorizations ON;
INSERT INTO healthcare.prior_authorizations (
    prior_authorization_id, prescription_id, status, requested_at, decided_at
)
SELECT
    ROW_NUMBER() OVER (ORDER BY p.written_date, p.prescription_id),
    p.prescription_id,
    IIF(
        decision.is_pending = 1,
        'pending',
        IIF(r.r4 < 0.82 * @draw_range, 'approved', 'denied')
    ),
    times.requested_at,
    IIF(decision.is_pending = 1, NULL, times.decided_at)
FROM #prescriptions AS p
CROSS APPLY (
    SELECT HASHBYTES('SHA2_256', CONCAT('prior_authorizations:', p.prescription_id))
        AS h
) AS hashed
CROSS APPLY (
    SELECT CONVERT(bigint, SUBSTRING(hashed.h, 1, 4)) AS r1,
        CONVERT(bigint, SUBSTRING(hashed.h, 5, 4)) AS r2,
        CONVERT(bigint, SUBSTRING(hashed.h, 9, 4)) AS r3,
        CONVERT(bigint, SUBSTRING(hashed.h, 13, 4)) AS r4,
        CONVERT(bigint, SUBSTRING(hashed.h, 17, 4)) AS r5
) AS r
CROSS APPLY (
    SELECT DATEADD(
        SECOND,
        CAST(8 * 3600 + r.r2 % (10 * 3600) AS int),
        CAST(p.written_date AS datetime2(3))
    ) AS requested_at
) AS requested
CROSS APPLY (
    SELECT requested.requested_at,
        DATEADD(MINUTE, CAST(30 + r.r3 % (72 * 60 - 30) AS int), requested.requested_at)
            AS decided_at
) AS times
CROSS APPLY (
    SELECT CASE
        WHEN times.decided_at >= CAST(DATEADD(DAY, 1, @today) AS datetime2(3)) THEN 1
        WHEN r.r5 % 100 < 2 THEN 1
        ELSE 0
    END AS is_pending
) AS decision
WHERE r.r1 < 0.08 * @draw_range;
SET IDENTITY_INSERT healthcare.prior_authorizations OFF;

-- Commerce: customers

SET IDENTITY_INSERT commerce.customers ON;
INSERT INTO commerce.customers (
    customer_id, email, first_name, last_name, state, created_at
)
SELECT n.n,
    LOWER(CONCAT(f.name, N'.', l.name, N'.', n.n, N'@example.com')),
    f.name,
    l.name,
    st.code,
    DATEADD(
        SECOND,
        CAST(r.r5 % 86400 AS int),
        CAST(DATEADD(DAY, -CAST(30 + r.r4 % (3 * 365 - 30) AS int), @today) AS datetime2(3))
    )
FROM #numbers AS n
CROSS APPLY (SELECT HASHBYTES('SHA2_256', CONCAT('customers:', n.n)) AS h) AS hashed
CROSS APPLY (
    SELECT CONVERT(bigint, SUBSTRING(hashed.h, 1, 4)) AS r1,
        CONVERT(bigint, SUBSTRING(hashed.h, 5, 4)) AS r2,
        CONVERT(bigint, SUBSTRING(hashed.h, 9, 4)) AS r3,
        CONVERT(bigint, SUBSTRING(hashed.h, 13, 4)) AS r4,
        CONVERT(bigint, SUBSTRING(hashed.h, 17, 4)) AS r5
) AS r
INNER JOIN #first_names AS f ON f.idx = r.r1 % @first_name_count
INNER JOIN #last_names AS l ON l.idx = r.r2 % @last_name_count
INNER JOIN #states AS st ON st.idx = r.r3 % @state_count
WHERE n.n <= @customer_count;
SET IDENTITY_INSERT commerce.customers OFF;

-- Commerce: orders over the last 180 days, older orders first, with 1 to 4
-- lines each. 3 % are cancelled. The others are placed for 2 days, then
-- shipped, then delivered from the 7th day.

SELECT
    ROW_NUMBER() OVER (ORDER BY age.days DESC, n.n) AS order_id,
    CAST(r.r2 % @customer_count + 1 AS bigint) AS customer_id,
    age.days AS age_days,
    DATEADD(
        SECOND,
        CAST(IIF(age.days = 0, r.r4 % 3600, 7 * 3600 + r.r4 % (15 * 3600)) AS int),
        CAST(DATEADD(DAY, -age.days, @today) AS datetime2(3))
    ) AS ordered_at,
    CASE
        WHEN r.r3 < 0.03 * @draw_range THEN 'cancelled'
        WHEN age.days < 2 THEN 'placed'
        WHEN age.days < 7 THEN 'shipped'
        ELSE 'delivered'
    END AS status,
    CASE
        WHEN r.r5 % 100 < 50 THEN 1
        WHEN r.r5 % 100 < 75 THEN 2
        WHEN r.r5 % 100 < 90 THEN 3
        ELSE 4
    END AS line_count,
    r.r6 AS delay_draw
INTO #orders
FROM #numbers AS n
CROSS APPLY (SELECT HASHBYTES('SHA2_256', CONCAT('orders:', n.n)) AS h) AS hashed
CROSS APPLY (
    SELECT CONVERT(bigint, SUBSTRING(hashed.h, 1, 4)) AS r1,
        CONVERT(bigint, SUBSTRING(hashed.h, 5, 4)) AS r2,
        CONVERT(bigint, SUBSTRING(hashed.h, 9, 4)) AS r3,
        CONVERT(bigint, SUBSTRING(hashed.h, 13, 4)) AS r4,
        CONVERT(bigint, SUBSTRING(hashed.h, 17, 4)) AS r5,
        CONVERT(bigint, SUBSTRING(hashed.h, 21, 4)) AS r6
) AS r
CROSS APPLY (SELECT CAST(r.r1 % 180 AS int) AS days) AS age
WHERE n.n <= @order_count;

-- Quantities are 1 (70 %), 2 (20 %), 3 (7 %) or 4 (3 %).
SELECT o.order_id,
    CAST(k.n AS smallint) AS line_number,
    product.sku,
    product.product_name,
    CASE
        WHEN r.r2 % 100 < 70 THEN 1
        WHEN r.r2 % 100 < 90 THEN 2
        WHEN r.r2 % 100 < 97 THEN 3
        ELSE 4
    END AS quantity,
    product.price_cents
INTO #order_items
FROM #orders AS o
INNER JOIN #numbers AS k ON k.n <= o.line_count
CROSS APPLY (
    SELECT HASHBYTES('SHA2_256', CONCAT('order_items:', o.order_id, ':', k.n)) AS h
) AS hashed
CROSS APPLY (
    SELECT CONVERT(bigint, SUBSTRING(hashed.h, 1, 4)) AS r1,
        CONVERT(bigint, SUBSTRING(hashed.h, 5, 4)) AS r2
) AS r
INNER JOIN #products AS product ON product.idx = r.r1 % @product_count;

SET IDENTITY_INSERT commerce.orders ON;
INSERT INTO commerce.orders (
    order_id, customer_id, status, ordered_at, total_amount, updated_at
)
SELECT o.order_id,
    o.customer_id,
    o.status,
    o.ordered_at,
    totals.cents / 100.0,
    CASE
        WHEN o.status = 'cancelled' AND o.age_days > 0
            THEN DATEADD(MINUTE, CAST(5 + o.delay_draw % 115 AS int), o.ordered_at)
        WHEN o.status = 'shipped' THEN DATEADD(DAY, 1, o.ordered_at)
        WHEN o.status = 'delivered' THEN DATEADD(DAY, 4, o.ordered_at)
        ELSE o.ordered_at
    END
FROM #orders AS o
CROSS APPLY (
    SELECT SUM(CAST(i.price_cents AS bigint) * i.quantity) AS cents
    FROM #order_items AS i
    WHERE i.order_id = o.order_id
) AS totals;
SET IDENTITY_INSERT commerce.orders OFF;

INSERT INTO commerce.order_items (
    order_id, line_number, sku, product_name, quantity, unit_price
)
SELECT order_id, line_number, sku, product_name, quantity, price_cents / 100.0
FROM #order_items;

-- The formulary: generics on tier 1 without prior authorization, brands on
-- tier 2 or 3, about 30 % of tier 3 with it, effective 90 days ago.
INSERT INTO healthcare.formulary (
    ndc, tier, prior_auth_required, effective_date, updated_at
)
SELECT
    m.ndc,
    t.tier,
    CASE
        WHEN t.tier = 3 AND CONVERT(bigint, SUBSTRING(hashed.h, 5, 4)) % 100 < 30
            THEN 1
        ELSE 0
    END,
    DATEADD(DAY, -90, @today),
    DATEADD(HOUR, 6, CAST(DATEADD(DAY, -90, @today) AS datetime2(3)))
FROM healthcare.medications AS m
CROSS APPLY (
    SELECT HASHBYTES('SHA2_256', CONCAT('formulary:', m.medication_id)) AS h
) AS hashed
CROSS APPLY (
    SELECT CASE
        WHEN m.is_generic = 1 THEN 1
        ELSE 2 + CONVERT(bigint, SUBSTRING(hashed.h, 1, 4)) % 2
    END AS tier
) AS t;

-- Routine reads of patient records by 40 staff users over the last 30 days,
-- between 08:00 and 18:00 UTC, weighted like the PostgreSQL generator.
INSERT INTO healthcare.phi_access_log (
    accessed_at, user_name, patient_id, access_type, purpose, application
)
SELECT
    DATEADD(
        SECOND,
        CAST(8 * 3600 + r.r2 % (10 * 3600) AS int),
        CAST(DATEADD(DAY, -CAST(r.r1 % 30 AS int), @today) AS datetime2(3))
    ),
    CONCAT(N'staff', RIGHT(CONCAT('00', 1 + r.r3 % 40), 3)),
    1 + r.r4 % @patient_count,
    CASE WHEN r.r5 % 100 < 92 THEN 'view' WHEN r.r5 % 100 < 98 THEN 'update'
        ELSE 'export' END,
    CASE WHEN r.r5 % 100 < 45 THEN N'claim review'
        WHEN r.r5 % 100 < 80 THEN N'dispensing'
        WHEN r.r5 % 100 < 92 THEN N'care management'
        WHEN r.r5 % 100 < 98 THEN N'address change'
        ELSE N'quality report' END,
    CASE WHEN r.r5 % 100 < 45 THEN N'claims-portal'
        WHEN r.r5 % 100 < 80 THEN N'pharmacy-pos'
        WHEN r.r5 % 100 < 92 THEN N'care-portal'
        WHEN r.r5 % 100 < 98 THEN N'member-services'
        ELSE N'reporting' END
FROM #numbers AS n
CROSS APPLY (
    SELECT HASHBYTES('SHA2_256', CONCAT('phi_access_log:', n.n)) AS h
) AS hashed
CROSS APPLY (
    SELECT CONVERT(bigint, SUBSTRING(hashed.h, 1, 4)) AS r1,
        CONVERT(bigint, SUBSTRING(hashed.h, 5, 4)) AS r2,
        CONVERT(bigint, SUBSTRING(hashed.h, 9, 4)) AS r3,
        CONVERT(bigint, SUBSTRING(hashed.h, 13, 4)) AS r4,
        CONVERT(bigint, SUBSTRING(hashed.h, 17, 4)) AS r5
) AS r
WHERE n.n <= 3000;

-- The marker that makes a rerun load nothing.
INSERT INTO dbo.warroom_meta ([key], [value])
VALUES
    (N'seed_version', N'4'),
    (N'seed_source', N'sql/mssql/seed.sql'),
    (N'loaded_at', CONVERT(nvarchar(40), SYSUTCDATETIME(), 126));

COMMIT TRANSACTION;

PRINT CONCAT(
    N'seed.sql: loaded ',
    (SELECT COUNT(*) FROM healthcare.pharmacy_claims), N' claims, ',
    (SELECT COUNT(*) FROM healthcare.prescriptions), N' prescriptions and ',
    (SELECT COUNT(*) FROM commerce.orders), N' orders.'
);
