import OrderModel
import Testing
@testable import Rules

@Suite struct LanguageTests {
    static let order = TestBatches.Order(
        fields: [
            "order_id": "shop:1", "source": "shop", "external_order_id": "1", "status": "PAID",
            "created_at": "2024-03-01T10:00:00Z", "order_date": "2024-03-01", "version": "3",
            "currency": "CNY", "grand_total": "100.10", "shipping_fee": "5", "consignee_phone": "13812341234",
            "shipped_at": "2024-03-03T12:00:00Z",
        ],
        lines: [
            ["line_no": "1", "quantity": "2", "unit_price": "10.05", "sku": "A-1", "taxable": "true"],
            ["line_no": "2", "quantity": "3", "unit_price": "20", "sku": "B-2", "taxable": "false"],
            ["line_no": "3", "quantity": "1", "title": "gift card", "taxable": "true"],
        ])
    static let batch = TestBatches.batch([order])

    /// Evaluates `text` on the test order; nil for null.
    func eval(_ text: String) throws -> Int64? {
        let pool = ExpressionPool()
        let e = try pool.compile(text)
        let v = Evaluator(pool: pool).evaluate(e, Self.batch, row: 0)
        return v.isNull ? nil : v.n
    }

    func isTrue(_ text: String) throws -> Bool { try eval(text) == 1 }
    func isNull(_ text: String) throws -> Bool { try eval(text) == nil }

    func compileError(_ text: String) -> ExpressionError? {
        do {
            _ = try ExpressionPool().compile(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func arithmeticOnIntsAndExactMoney() throws {
        #expect(try eval("1 + 2 * 3") == 7)
        #expect(try eval("(1 + 2) * 3") == 9)
        #expect(try eval("7 / 2") == 3)
        #expect(try eval("-7 / 2") == -3)
        #expect(try eval("7 % 3") == 1)
        #expect(try eval("-(2 - 5)") == 3)
        #expect(try isTrue("0.1 + 0.2 == 0.3"))
        #expect(try eval("grand_total") == 1_001_000)
        #expect(try eval("grand_total + 1") == 1_011_000)  // int widens to decimal
        #expect(try eval("grand_total * 2") == 2_002_000)
        #expect(try eval("1.23 * 1.01") == 12_423)  // 1.2423 exact
        #expect(try eval("1.2345 * 1.0001") == 12_346)  // 1.23462345 truncated to 4 digits
        #expect(try eval("-1.2345 * 1.0001") == -12_346)  // truncation toward zero
        #expect(try eval("10 / 4.0") == 25_000)
        #expect(try eval("1.00 / 3") == 3_333)
        #expect(try eval("2.00 / 3.00") == 6_666)
        #expect(try eval("abs(-2.5)") == 25_000)
    }

    @Test func truncationAndRounding() throws {
        #expect(try eval("trunc(1.2399, 2)") == 12_300)
        #expect(try eval("trunc(-1.2399, 2)") == -12_300)
        #expect(try eval("trunc(9.99)") == 90_000)
        #expect(try eval("round(1.235, 2)") == 12_400)
        #expect(try eval("round(1.2349, 2)") == 12_300)
        #expect(try eval("round(-1.235, 2)") == -12_400)
        #expect(try eval("round(2.5)") == 30_000)
    }

    @Test func divisionByZeroAndOverflowAreNull() throws {
        #expect(try isNull("1 / 0"))
        #expect(try isNull("1.5 / 0.0"))
        #expect(try isNull("5 % 0"))
        #expect(try isNull("9223372036854775807 + 1"))
        #expect(try isNull("99999999999999.9999 * 99999999999999.9999"))
    }

    @Test func comparisonsOnEveryType() throws {
        #expect(try isTrue("2 < 3 and 3 <= 3 and 4 > 3 and 4 >= 4 and 1 == 1 and 1 != 2"))
        #expect(try isTrue("1 <> 2 and 1 = 1"))
        #expect(try isTrue("grand_total > 100 and grand_total < 100.11"))
        #expect(try isTrue("currency == 'CNY' and currency != \"USD\" and currency < 'USD'"))
        #expect(try isTrue("'abc' < 'abd' and 'ab' < 'abc' and 'b' > 'abc'"))
        #expect(try isTrue("order_date == date('2024-03-01')"))
        #expect(try isTrue("created_at > date('2024-03-01')"))  // date widens to timestamp
        #expect(try isTrue("created_at == timestamp('2024-03-01T10:00:00Z')"))
        #expect(try isTrue("taxes_included is null"))
    }

    @Test func inLists() throws {
        #expect(try isTrue("status in ['PAID', 'CREATED']"))
        #expect(try isTrue("status not in ['SHIPPED']"))
        #expect(try isTrue("version in [1, 2, 3]"))
        #expect(try isTrue("grand_total in [100.10, 5]"))
        #expect(try isNull("payment_status in ['paid']"))
    }

    @Test func threeValuedLogic() throws {
        // payment_status is null: comparisons with it are unknown.
        #expect(try isNull("payment_status == 'paid'"))
        #expect(try isNull("not (payment_status == 'paid')"))
        #expect(try isNull("payment_status == 'paid' and true"))
        #expect(try eval("payment_status == 'paid' and false") == 0)
        #expect(try eval("payment_status == 'paid' or true") == 1)
        #expect(try isNull("payment_status == 'paid' or false"))
        #expect(try isTrue("payment_status is null and currency is not null"))
        #expect(try isTrue("coalesce(payment_status, 'none') == 'none'"))
        #expect(try eval("coalesce(paid_amount, 0) + 1") == 10_000)
        #expect(try isNull("paid_amount + 1"))
        #expect(try eval("if(taxes_included, 1, 2.5)") == 25_000)  // null condition takes the else branch
        #expect(try eval("if(currency == 'CNY', 1, 2)") == 1)
        #expect(try isNull("length(payment_status)"))
    }

    @Test func stringFunctions() throws {
        #expect(try eval("length(currency)") == 3)
        #expect(try isTrue("starts_with(order_id, 'shop:') and ends_with(order_id, ':1') and contains(order_id, 'op')"))
        #expect(try eval("starts_with(order_id, 'shop:1x')") == 0)
        #expect(try isTrue("matches(consignee_phone, '^1[3-9][0-9]{9}$')"))
        #expect(try eval("matches(currency, '^[a-z]+$')") == 0)
        #expect(try eval("length('张三')") == 2)
        #expect(try isTrue("matches('+8613812341234', '^\\+[0-9]+$')"))  // a backslash that is not an escape is kept
        #expect(try isTrue("'it\\'s' == \"it's\""))
    }

    /// `matches` runs on RE2, linear in the value: an ordinary unanchored pattern against a
    /// long run of near misses answers at once (glibc's regexec took time growing with the
    /// square of the length: about 40 s for this value). Back-references are refused at load.
    @Test func matchesIsLinearInTheValue() throws {
        let long = String(repeating: "a", count: 200_000) + "c"
        #expect(try eval("matches('\(long)', '[a-z]+@')") == 0)
        #expect(try isTrue("matches('\(long)', '^a+c$')"))
        #expect(try eval("matches('xay', '^a')") == 0)
        #expect(compileError("matches(currency, '(a)\\\\1')")?.message.contains("bad regular expression") == true)
    }

    /// `contains` of one long value in another is linear too (every start tried was the
    /// product of their lengths).
    @Test func containsIsLinear() throws {
        let hay = String(repeating: "a", count: 200_000), needle = String(repeating: "a", count: 100_000) + "b"
        #expect(try eval("contains('\(hay)', '\(needle)')") == 0)
        #expect(try isTrue("contains('\(hay)b', '\(needle)')"))
        #expect(try isTrue("contains('abc', '') and contains('abc', 'bc') and not contains('abc', 'cb')"))
    }

    @Test func dateArithmetic() throws {
        #expect(try isTrue("order_date + 2 == date('2024-03-03')"))
        #expect(try eval("date('2024-03-03') - order_date") == 2)
        #expect(try isTrue("shipped_at - created_at > days(2)"))
        #expect(try isTrue("shipped_at - created_at < hours(51)"))
        #expect(try eval("in_hours(shipped_at - created_at)") == 50)
        #expect(try eval("in_days(shipped_at - created_at)") == 2)
        #expect(try isTrue("created_at + days(2) + hours(2) == shipped_at"))
        #expect(try isTrue("to_date(shipped_at) == date('2024-03-03')"))
        #expect(try isTrue("to_timestamp(order_date) < created_at"))
        #expect(try isTrue("minutes(60) == hours(1)"))
    }

    @Test func aggregatesOverLines() throws {
        #expect(try eval("count()") == 3)
        #expect(try eval("count(lines.taxable)") == 2)
        #expect(try eval("sum(lines.quantity)") == 60_000)
        #expect(try eval("sum(lines.unit_price * lines.quantity)") == 801_000)  // 20.10 + 60; the null line is skipped
        #expect(try isTrue("any(lines.sku == 'B-2')"))
        #expect(try isNull("all(lines.sku is not null and starts_with(lines.sku, 'A'))") == false)
        #expect(try eval("all(lines.sku is not null and starts_with(lines.sku, 'A'))") == 0)
        #expect(try isNull("all(lines.unit_price > 0)"))  // line 3 has no price: unknown
        #expect(try isNull("any(lines.unit_price > 100)"))
        #expect(try eval("min(lines.unit_price)") == 100_500)
        #expect(try eval("max(lines.line_no)") == 3)
        #expect(try isNull("min(lines.list_price)"))
        #expect(try eval("sum(lines.list_price)") == 0)
    }

    @Test func typeErrorsNameTheOffendingPosition() {
        let e1 = compileError("grand_total + currency")
        #expect(e1?.offset == 12)
        #expect(e1?.message.contains("cannot add decimal and string") == true)
        #expect(compileError("currency > 3")?.message.contains("cannot compare string and int") == true)
        #expect(compileError("lines.sku == 'x'")?.message.contains("only allowed inside an aggregate") == true)
        #expect(compileError("sum(sum(lines.quantity))")?.message.contains("nested") == true)
        #expect(compileError("sum(lines.sku)")?.message.contains("needs numbers") == true)
        #expect(compileError("nosuch == 1")?.message.contains("unknown field 'nosuch'") == true)
        #expect(compileError("x is 3")?.offset == 5)
        #expect(compileError("currency == null")?.message.contains("is null") == true)
        #expect(compileError("not grand_total")?.message.contains("'not' needs a bool") == true)
        #expect(compileError("matches(currency, '[')")?.message.contains("bad regular expression") == true)
        #expect(compileError("trunc(grand_total, 5)")?.offset == 19)
        #expect(compileError("length(currency, 2)")?.message.contains("takes 1 argument") == true)
        #expect(compileError("tags == 'a'")?.message.contains("list or map") == true)
        #expect(compileError("status in ['PAID', 3]")?.message.contains("string literals") == true)
        #expect(compileError("date('2024-02-30') == order_date")?.offset == 5)
    }

    @Test func parseErrorsNameTheOffendingPosition() {
        #expect(compileError("1 +")?.offset == 3)
        #expect(compileError("(1 + 2")?.message.contains("expected ')'") == true)
        #expect(compileError("1 2")?.offset == 2)
        #expect(compileError("'abc")?.message.contains("unterminated") == true)
        #expect(compileError("a # b")?.offset == 2)
        #expect(compileError("1.23456")?.offset == 0)
    }
}
