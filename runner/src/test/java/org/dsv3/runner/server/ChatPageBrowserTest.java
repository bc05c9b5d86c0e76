package org.dsv3.runner.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.dsv3.runner.ScriptedBackendProvider;
import org.dsv3.runner.TestModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The chat page at {@code /} in a real headless Chromium (the system's, driven through its
 * chromedriver): streamed text arriving in the page, reasoning folded away, markdown with message
 * text kept as text, the stop button freeing the server's slot, the conversation kept across a
 * reload, and the API key asked for. Skips only when no Chromium is installed ({@code dsv3.chromium},
 * default {@code /usr/bin/chromium}); CI installs it and fails when this test skipped.
 */
class ChatPageBrowserTest {
    static final Path CHROMIUM = Path.of(System.getProperty("dsv3.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("dsv3.chromedriver", "/usr/bin/chromedriver"));

    ChromeDriver browser;

    @BeforeAll
    static void startDriver() {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "no Chromium at " + CHROMIUM
                + " (Debian: apt-get install chromium chromium-driver): the browser test of the chat page cannot run");
        assertTrue(Files.isExecutable(CHROMEDRIVER), "Chromium is installed but its driver is not at " + CHROMEDRIVER
                + " (Debian: apt-get install chromium-driver)");
        Logger.getLogger("org.openqa.selenium").setLevel(Level.SEVERE);
    }

    @BeforeEach
    void openBrowser() {
        ChromeOptions o = new ChromeOptions();
        o.setBinary(new File(CHROMIUM.toString()));
        o.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--disable-extensions", "--window-size=1000,800");
        // the system's driver, named here, so that Selenium never looks for (or downloads) one of its own
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().withLogOutput(java.io.OutputStream.nullOutputStream()).build();
        browser = new ChromeDriver(service, o); // quit() stops the service too
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    private WebDriverWait waitUpTo(int seconds) {
        return new WebDriverWait(browser, Duration.ofSeconds(seconds), Duration.ofMillis(20));
    }

    /** Opens the page with these settings in its localStorage and an empty conversation. */
    private void open(TestServer s, String settingsJson) {
        browser.get("http://127.0.0.1:" + s.port() + "/");
        js("localStorage.clear(); localStorage.setItem('dsv3.settings', arguments[0]);", settingsJson);
        browser.navigate().refresh();
        waitUpTo(10).until(d -> !d.findElement(By.id("model")).getText().isEmpty());
    }

    /** Records the length of the answer's text at every change of the page, into window.seenLengths. */
    private void watchAnswerLengths() {
        js("window.seenLengths = [];"
                + "new MutationObserver(() => { const c = document.querySelector('.msg.assistant:last-of-type .content');"
                + " if (c) { window.seenLengths.push(c.textContent.length); } })"
                + ".observe(document.getElementById('log'), {subtree: true, childList: true, characterData: true});");
    }

    private void send(String text) {
        WebElement input = browser.findElement(By.id("input"));
        input.sendKeys(text);
        input.sendKeys(Keys.ENTER); // Enter sends
    }

    private void awaitIdle(int seconds) {
        waitUpTo(seconds).until(d -> d.findElement(By.id("send")).isEnabled()
                && !d.findElements(By.cssSelector(".msg.assistant")).isEmpty());
    }

    private JsonNode storedChat() throws Exception {
        return TestServer.JSON.readTree((String) js("return localStorage.getItem('dsv3.chat');"));
    }

    @Test
    void aMessageSentFromThePageStreamsTheModelsAnswerIntoIt() throws Exception {
        try (TestServer tiny = new TestServer("cpu", 1, 4, 512)) {
            open(tiny, "{\"temperature\": 0, \"maxTokens\": 24}");
            assertEquals("tiny", browser.findElement(By.id("model")).getText());
            watchAnswerLengths();
            send("Name three colours.");
            awaitIdle(60);

            JsonNode chat = storedChat();
            assertEquals(2, chat.size(), chat.toString());
            assertEquals("user", chat.get(0).get("role").asText());
            assertEquals("Name three colours.", chat.get(0).get("content").asText());
            String streamed = chat.get(1).get("content").asText();
            // the same request answered whole by the API (greedy, so the same text)
            JsonNode whole = TestServer.JSON.readTree(tiny.post("/v1/chat/completions",
                    "{\"messages\": [{\"role\": \"user\", \"content\": \"Name three colours.\"}],"
                            + " \"temperature\": 0, \"max_tokens\": 24}").body());
            assertEquals(whole.at("/choices/0/message/content").asText(), streamed);
            assertFalse(streamed.isBlank());

            List<?> lengths = (List<?>) js("return window.seenLengths.filter((v, i, a) => v > 0 && a.indexOf(v) === i);");
            assertTrue(lengths.size() >= 3, "the answer should arrive in pieces, saw text lengths " + lengths);
            WebElement answer = browser.findElement(By.cssSelector(".msg.assistant .content"));
            assertFalse(answer.getText().isBlank());
            assertEquals("stopped at the token limit", browser.findElement(By.cssSelector(".msg.assistant .note")).getText());
        }
    }

    @Test
    void reasoningIsFoldedAwayAndMessageTextStaysText() throws Exception {
        TestModels.script("<think>Let me **think**.</think>Here is `a<b>` and <img src=x onerror=alert(1)>\n\n- one\n- two\n");
        try (TestServer scripted = new TestServer("scripted", 1, 4, 512)) {
            open(scripted, "{}");
            send("Hi");
            awaitIdle(30);
            WebElement details = browser.findElement(By.cssSelector(".msg.assistant details.reasoning"));
            assertTrue(details.isDisplayed());
            assertEquals(null, details.getDomAttribute("open"), "the reasoning is folded away");
            assertEquals("Reasoning", details.findElement(By.tagName("summary")).getText());
            assertEquals("Let me <strong>think</strong>.", js("return arguments[0].querySelector('.md p').innerHTML;", details));
            details.findElement(By.tagName("summary")).click();
            assertEquals("Let me think.", details.findElement(By.cssSelector(".md")).getText());

            WebElement content = browser.findElement(By.cssSelector(".msg.assistant .content"));
            assertEquals(0, content.findElements(By.tagName("img")).size(), "message text must not become markup");
            assertEquals("a<b>", content.findElement(By.tagName("code")).getText());
            assertTrue(content.getText().contains("<img src=x onerror=alert(1)>"), content.getText());
            assertEquals(2, content.findElements(By.cssSelector("ul > li")).size());
            JsonNode stored = storedChat().get(1);
            assertEquals("Let me **think**.", stored.get("reasoning").asText());
        }
    }

    @Test
    void theStopButtonEndsTheGenerationAndTheConversationSurvivesAReload() throws Exception {
        // a scripted answer of ~1,000 tokens at 20 ms a token: long enough to be stopped on any machine (the
        // tiny model's greedy answer depends on the machine's vector width and may end within a second)
        TestModels.script("Once upon a time there was a story. ".repeat(120));
        ScriptedBackendProvider.stepMillis = 20;
        try (TestServer tiny = new TestServer("scripted", 1, 4, 4096)) {
            open(tiny, "{\"temperature\": 0}");
            send("Write a long story.");
            waitUpTo(30).until(d -> !d.findElement(By.cssSelector(".msg.assistant .content")).getText().isEmpty());
            browser.findElement(By.id("stop")).click();
            awaitIdle(10);
            assertEquals("stopped", browser.findElement(By.cssSelector(".msg.assistant .note")).getText());
            long deadline = System.currentTimeMillis() + 5000;
            while (tiny.health().get("slots_idle").asInt() != 1 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(1, tiny.health().get("slots_idle").asInt(), "the server should free the slot once the page stops");
            String metrics = tiny.get("/metrics").body();
            long predicted = metrics.lines().filter(l -> l.startsWith("dsv3_tokens_predicted_total "))
                    .mapToLong(l -> (long) Double.parseDouble(l.split(" ")[1])).findFirst().orElseThrow();
            assertTrue(predicted < 3000, "the generation should have been cut short, it made " + predicted + " tokens");

            String partial = storedChat().get(1).get("content").asText();
            assertFalse(partial.isEmpty());
            browser.navigate().refresh();
            waitUpTo(10).until(d -> d.findElements(By.cssSelector(".msg")).size() == 2);
            assertEquals("Write a long story.", browser.findElement(By.cssSelector(".msg.user .content")).getText());
            assertEquals(partial, storedChat().get(1).get("content").asText());
            browser.findElement(By.id("new-chat")).click();
            assertEquals(0, browser.findElements(By.cssSelector(".msg")).size());
            assertEquals("[]", js("return localStorage.getItem('dsv3.chat');"));
        } finally {
            ScriptedBackendProvider.stepMillis = 0;
        }
    }

    @Test
    void withAnApiKeyThePageLoadsAndAsksForIt() throws Exception {
        TestModels.script("Open."); // before the server: its sessions take the script when made
        try (TestServer keyed = new TestServer("scripted", 1, 4, 512, "sesame", ServerConfig.DEFAULT_IDLE_TIMEOUT_MS)) {
            open(keyed, "{}");
            assertTrue(browser.findElement(By.id("model")).getText().contains("API key"),
                    browser.findElement(By.id("model")).getText());
            browser.findElement(By.id("settings-toggle")).click();
            WebElement key = browser.findElement(By.id("api-key"));
            key.sendKeys("sesame");
            key.sendKeys(Keys.TAB); // change event
            waitUpTo(10).until(d -> d.findElement(By.id("model")).getText().equals("tiny"));
            send("Hi");
            awaitIdle(30);
            assertEquals("Open.", browser.findElement(By.cssSelector(".msg.assistant .content")).getText());
        }
    }
}
